package org.jlivepatch.demo;

/** Builds the service's answers. */
public final class Greeter {

  private static final String TEMPLATE = "Hello, %s! (served by ${sys:java.vm.name})";

  private Greeter() {}

  /** The greeting for a client-supplied name. */
  public static String greet(String name) {
    // The bug: lookups are expanded in the whole message, client input included.
    return Lookups.expand(String.format(TEMPLATE, name));
  }

  /** The answer to a health check. */
  public static String health() {
    return "ok";
  }
}
