/** The pieces of {@code jlivepatch demo}: the demo service in a child JVM and the load driven at it. */
package org.jlivepatch.cli.demo;
