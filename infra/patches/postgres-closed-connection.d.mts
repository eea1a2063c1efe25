/** Types of postgres-closed-connection.mjs (plain Node ESM, so npm's postinstall runs it before anything is built). */
export declare const MARK: string;
/** Each edit: the postgres.js 3.4.9 code (`from`) and what replaces it (`to`). */
export declare const EDITS: { name: string; from: string; to: string }[];
/** The copies of connection.js in the package, relative to its directory. */
export declare const COPIES: string[];
export declare function patchSource(text: string, file: string): { text: string; made: string[] };
export declare function patchPackage(packageDir: string): string[];
