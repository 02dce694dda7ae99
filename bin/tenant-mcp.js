#!/usr/bin/env node
// The bundle `npm run build` makes of dist/cli/main.js: one file loads faster than hundreds.
import '../dist/bundle/tenant-mcp.js';
