/** Environment variable that turns the automatic install off. */
export declare const SKIP_VARIABLE: string;
/** A system tool the test suite needs. */
export type SystemTool = 'openssl' | 'redis-server' | 'chromium';
/** The path of a tool found on the PATH (or its variable), or null. */
export declare function findTool(name: SystemTool): string | null;
/** What a test says when the tool it needs is missing: who needs it and how to install it. */
export declare function missingToolMessage(name: SystemTool): string;
