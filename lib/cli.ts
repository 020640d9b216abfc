#!/usr/bin/env node
import { runCommand } from './debug-server/debug-server.command.js';

process.exitCode = await runCommand(process.argv.slice(2));
