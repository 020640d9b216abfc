#!/usr/bin/env node
import { runCommand } from './cli/cli-command.js';

process.exitCode = await runCommand(process.argv.slice(2));
