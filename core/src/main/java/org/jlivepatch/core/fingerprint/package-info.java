/**
 * Normalised method fingerprints: equal for the same code however it was laid out in the class
 * file, different for any change in what the method executes.
 */
package org.jlivepatch.core.fingerprint;
