/**
 * An SLA policy that cannot be used. `path` names the bad place in the file
 * (`tiers.pro.targets.HIGH.firstResponse`), `file` the file when it was loaded from one.
 */
export class SlaPolicyError extends Error {
  readonly code = 'INVALID_SLA_POLICY';
  constructor(
    readonly detail: string,
    readonly path: string,
    readonly file?: string,
  ) {
    super([file, path, detail].filter((part) => part !== undefined && part !== '').join(': '));
    this.name = 'SlaPolicyError';
  }

  /** The same error, reported against a file. */
  inFile(file: string): SlaPolicyError {
    return new SlaPolicyError(this.detail, this.path, file);
  }
}

/** A tier the policy does not define (e.g. an organization on a tier removed from the file). */
export class UnknownSlaTierError extends Error {
  readonly code = 'UNKNOWN_SLA_TIER';
  constructor(
    readonly tier: string,
    readonly policyVersion: string,
  ) {
    super(`SLA policy ${policyVersion} has no tier "${tier}"`);
    this.name = 'UnknownSlaTierError';
  }
}
