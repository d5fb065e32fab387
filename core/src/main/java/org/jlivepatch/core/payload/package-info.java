/**
 * The payload file ({@code *.jlp}): writing, reading with limits and integrity checks, and
 * Ed25519 signatures. See {@code docs/payload-format.md} for the format. Streams and byte arrays
 * only; no file-system assumptions.
 */
package org.jlivepatch.core.payload;
