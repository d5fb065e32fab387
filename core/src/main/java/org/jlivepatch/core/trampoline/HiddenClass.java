package org.jlivepatch.core.trampoline;

import java.util.Map;
import java.util.Objects;

/**
 * The hidden nestmate class of a patched class C, as built by {@link Trampolines#hidden}: every
 * method is static; an instance method {@code m(A)R} of C is held as {@code m(LC;A)R}.
 *
 * <p>A lambda H creates is linked by the bridge's {@link Trampolines#LAMBDA_NAME lambda} bootstrap
 * with the arguments javac gave {@code LambdaMetafactory}: the JDK's factory defines its class
 * STRONG in the caller's loader, which would keep H loaded as long as C's loader.
 *
 * @param name the internal name written in the class file, {@code <C>$$Jlp}; the JVM appends a
 *     suffix when it defines the class
 * @param bytes the class file, to be defined with {@code Lookup.defineHiddenClass(bytes, true,
 *     NESTMATE)} on a full-privilege lookup of C
 * @param redirects C's method key (name followed by descriptor) to the H method holding its body,
 *     as {@code hName|hDesc}
 */
public record HiddenClass(String name, byte[] bytes, Map<String, String> redirects) {

  public HiddenClass {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bytes, "bytes");
    redirects = Map.copyOf(redirects);
  }

  /** The name of the H method holding the body of C's method {@code key}, or null. */
  public String methodName(String key) {
    String target = redirects.get(key);
    return target == null ? null : target.substring(0, target.indexOf('|'));
  }

  /** The descriptor of the H method holding the body of C's method {@code key}, or null. */
  public String methodDescriptor(String key) {
    String target = redirects.get(key);
    return target == null ? null : target.substring(target.indexOf('|') + 1);
  }
}
