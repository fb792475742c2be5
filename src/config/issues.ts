/** One problem (or warning) in a config file. */
export interface ConfigIssue {
  /** Dotted key path such as "gateway.port", or "<root>" for the document itself. */
  path: string;
  message: string;
}

export const ROOT_PATH = "<root>";

export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? ROOT_PATH : path.map(String).join(".");
}
