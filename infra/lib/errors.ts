/** A bad parameter or a missing input: synthesis stops and the CLI prints this one line. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}
