// Imported first by main.ts: the handlers' logger reads its level when its module loads, which
// the imports after this one do. The summary is what matters here, not each fault's log line.
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
