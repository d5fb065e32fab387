package org.jlivepatch.core.trampoline;

import java.util.Map;
import java.util.Objects;

/**
 * The hidden nestmate class of a patched class C, as built by {@link Trampolines#hidden}: every
 * method is static; an instance method {@code m(A)R} of C is held as {@code m(LC;A)R}.
 *
 * <p>When a body in H creates a lambda whose body is an added method, the lambda's factory
 * names a method of the <em>lambda host</em> instead of H: JDK 17's {@code LambdaMetafactory}
 * generates a class calling the implementation method by its class's name, and a hidden class has
 * none that resolves. The host is a normal class in C's package, defined like the bridge
 * ({@code MethodHandles.privateLookupIn(C, lookup).defineClass(lambdaHostBytes)}) before H's code
 * runs; each of its public static methods redirects into H through the bridge (key
 * {@code <prefix>|redirect|<hName>|<hDesc>}, caller = the host).
 *
 * @param name the internal name written in the class file, {@code <C>$$Jlp}; the JVM appends a
 *     suffix when it defines the class
 * @param bytes the class file, to be defined with {@code Lookup.defineHiddenClass(bytes, true,
 *     NESTMATE)} on a full-privilege lookup of C
 * @param redirects C's method key (name followed by descriptor) to the H method holding its body,
 *     as {@code hName|hDesc}
 * @param lambdaHostName the lambda host's internal name ({@link Trampolines#lambdaHostName}), or
 *     null when H creates no lambda on an added method
 * @param lambdaHostBytes the lambda host's class file, or null with {@code lambdaHostName}
 */
public record HiddenClass(String name, byte[] bytes, Map<String, String> redirects, String lambdaHostName,
    byte[] lambdaHostBytes) {

  public HiddenClass {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bytes, "bytes");
    redirects = Map.copyOf(redirects);
    if ((lambdaHostName == null) != (lambdaHostBytes == null)) {
      throw new IllegalArgumentException("the lambda host needs both a name and bytes");
    }
  }

  /** A hidden class without a lambda host. */
  public HiddenClass(String name, byte[] bytes, Map<String, String> redirects) {
    this(name, bytes, redirects, null, null);
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
