package org.jlivepatch.demo;

/** Builds the service's answers. */
public final class Greeter {

  private static final String TEMPLATE = "Hello, %s! (served by ${sys:java.vm.name})";

  private Greeter() {}

  /**
   * The greeting for a client-supplied name.
   *
   * <p>Lookups are expanded in the operator's template only, never in what the client sent.
   */
  public static String greet(String name) {
    return String.format(Lookups.expand(TEMPLATE), name);
  }

  /** The answer to a health check. */
  public static String health() {
    return "ok";
  }
}
