/** A file an import cannot read; the message is for the person who uploaded it. */
export class SheetFileError extends Error {}
