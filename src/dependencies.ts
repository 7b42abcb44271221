import type { Connector } from './connectors/connector.ts';
import type { SecretBox } from './platform/crypto.ts';
import type { Database } from './platform/db.ts';

/** The long-lived collaborators that services need, built once at start. */
export interface Dependencies {
  db: Database;
  secretBox: SecretBox;
  connector: Connector;
  /** Base URL for links handed to customers (3-D Secure pages). */
  publicUrl: string;
}
