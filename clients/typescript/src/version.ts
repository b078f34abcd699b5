/** The client's version (it follows the contracts; see CHANGELOG.md). Kept equal to package.json's by a test. */
export const VERSION = "0.3.0";
