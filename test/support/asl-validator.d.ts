// asl-validator ships no types: the part of its CommonJS API the tests use.
declare module "asl-validator" {
  interface AslValidationResult {
    isValid: boolean;
    errors: unknown[];
    errorsText: (separator?: string) => string;
  }
  function validator(
    definition: object,
    options?: { checkPaths: boolean; checkArn: boolean },
  ): AslValidationResult;
  export = validator;
}
