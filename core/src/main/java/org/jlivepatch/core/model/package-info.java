/**
 * The patch model: what a payload carries and what the agent switches in. Immutable values, no I/O.
 */
package org.jlivepatch.core.model;
