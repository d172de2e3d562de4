// Types of scripts/e2e-setup.mjs, for the TypeScript end-to-end tests that import it.
export declare const ROOT: string;
export declare const E2E: string;
export declare const CODE_SERVER_VERSION: string;
export declare const CODE_SERVER_PREFIX: string;
export declare const CODE_SERVER_BIN: string;
export declare const EXTENSIONS_DIR: string;
export declare const VSIX: string;
export declare const CHROMIUM: string;
export declare class SetupError extends Error {}
export declare function ensureAptPackages(): void;
export declare function ensureCodeServer(): void;
/** Packages and installs the extension when its sources changed; true when it did. */
export declare function ensureExtension(opts?: { force?: boolean }): boolean;
export declare function installVsix(vsix: string): void;
export declare function ensureAll(opts?: { force?: boolean }): boolean;
