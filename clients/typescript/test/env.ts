/** What the live tests need from the environment (tests/integration/clients/test_typescript_client.py sets it). */
import { fileURLToPath } from "node:url";
import path from "node:path";

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_DIR = path.resolve(PACKAGE_DIR, "..", "..");

/** The variable `name`; a missing one fails the test loudly (these tests never skip). */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: the live tests run from pytest `
      + "(tests/integration/clients/test_typescript_client.py), which starts the service and sets it");
  }
  return value;
}

export interface Expectation {
  rows: number;
  good_rows: number;
  bad_row_numbers: number[];
}

export interface HandoffEvent {
  event_id: string;
  migration_id: string;
  user_id: string;
  current_offer: string;
  target_offer: string;
  row_number: number;
}
