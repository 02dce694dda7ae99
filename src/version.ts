/** The server's name and version as announced in the MCP handshake. */
export const SERVER_NAME = 'tenant-mcp';
export const SERVER_VERSION = '0.1.0';
