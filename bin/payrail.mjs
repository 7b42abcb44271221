#!/usr/bin/env node
// Entry point of the `payrail` CLI. TypeScript sources run through tsx's loader so the checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
