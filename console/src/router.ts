// Hash routing (`#/orders/o-1001`): the server needs no fallback page for deep links, so
// CloudFront's error pages never stand in for the API's own 404 problems.
import { useEffect, useState } from "preact/hooks";

const currentPath = () => decodeURI(location.hash.replace(/^#/, "")) || "/";

export const useHashPath = (): string => {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return path;
};

export const href = (path: string): string => `#${encodeURI(path)}`;

export const navigate = (path: string) => {
  location.hash = encodeURI(path);
};
