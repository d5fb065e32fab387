package org.jlivepatch.agent.rt;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Optional;

/**
 * Reads the class file of a loaded class as the JVM runs it, by asking for a retransformation
 * and recording the bytes the JVM reconstitutes for it.
 *
 * <p>A retransformation that changes nothing is still a redefinition: a VM operation at a
 * safepoint that swaps in a new class version (and, on JDK 17, deoptimises dependent compiled
 * code). To avoid that pause, the transformer answers the capture with bytes that are not a class
 * file. The JVM parses the transformed bytes in the operation's prologue, before the safepoint;
 * parsing fails with {@link ClassFormatError}, the operation is abandoned, and the class is left
 * exactly as it was. The integration tests prove this on JDK 17 and 25 with
 * {@code -Xlog:redefine+class+load}: a capture logs no redefinition, and the class's redefinition
 * count moves only when a patch is switched in. Transformers of other agents registered after
 * this one see the invalid bytes for that one call and are expected to ignore them, as they must
 * ignore any class file they cannot parse.
 *
 * <p>The transformer is registered only for the duration of one capture: while a
 * retransformation-capable transformer is registered, the JVM calls into the agent for every class
 * that loads (for classes from the CDS archive it must first read their class files), and calls it
 * again for every redefinition, by anyone. Removing it does not change its order among other
 * agents' transformers: that order is the order of the JVMTI environments, fixed when this agent
 * first registered one.
 *
 * <p>On JDK 17 to 19 the JVM's answer is stale for a class an APM agent instruments once this agent
 * has redefined it; {@link RetransformStart} then knows the class file, and a capture answers it.
 *
 * <p>The same trick, on a redefinition, shows what agents ahead of this one in the JVM's order do to
 * a class file the agent passes ({@link #asPassedOn}).
 */
final class RunningBytes implements ClassFileTransformer {

  /** Not a class file: wrong magic number, so the JVM's parser stops at the first four bytes. */
  private static final byte[] NOT_A_CLASS_FILE = {0, 0, 0, 0};

  private final Instrumentation instrumentation;
  private final RetransformStart retransformStart;
  private volatile Class<?> wanted;
  private volatile Thread capturer;
  private volatile byte[] captured;
  private long captureNanos;

  RunningBytes(Instrumentation instrumentation, RetransformStart retransformStart) {
    this.instrumentation = instrumentation;
    this.retransformStart = retransformStart;
  }

  /**
   * Returns the running class file of {@code type}: the one this agent installed when the JVM's
   * own is stale (see {@link RetransformStart}), else the JVM's.
   *
   * @throws CommandException if the class cannot be retransformed or the JVM hands back nothing,
   *     or if nobody knows the class file any more
   */
  synchronized byte[] capture(Class<?> type) throws CommandException {
    Optional<byte[]> known = retransformStart.classFile(type);
    if (known.isPresent()) {
      return known.get();
    }
    return fromJvm(type);
  }

  /**
   * Returns the class file the JVM starts a retransformation of {@code type} from, as it reaches
   * this agent's place in the order of agents.
   */
  synchronized byte[] fromJvm(Class<?> type) throws CommandException {
    return intercept(type, () -> instrumentation.retransformClasses(type));
  }

  /**
   * Returns {@code classFile} as it reaches this agent's place when a redefinition passes it for
   * {@code type}: changed only if an agent ahead of this one (one that is not
   * retransformation-capable, or a retransformation-capable one loaded earlier) transforms it. The
   * redefinition is abandoned like a capture, before anything changes.
   */
  synchronized byte[] asPassedOn(Class<?> type, byte[] classFile) throws CommandException {
    return intercept(type, () -> instrumentation.redefineClasses(new ClassDefinition(type, classFile)));
  }

  private interface JvmCall {
    void run() throws Exception;
  }

  private byte[] intercept(Class<?> type, JvmCall call) throws CommandException {
    if (!instrumentation.isModifiableClass(type)) {
      throw CommandException.refused("resolve", "class " + type.getName() + " in loader "
          + Loaders.describe(type.getClassLoader()) + " cannot be modified by this JVM");
    }
    captured = null;
    capturer = Thread.currentThread();
    wanted = type;
    long started = System.nanoTime();
    instrumentation.addTransformer(this, true);
    try {
      call.run();
    } catch (ClassFormatError expected) {
      // the capture's own doing: the operation stopped before changing anything
    } catch (Exception | LinkageError e) {
      if (captured == null) {
        throw CommandException.failed("expectation", "cannot read the running code of " + type.getName()
            + ": " + e);
      }
    } finally {
      instrumentation.removeTransformer(this);
      wanted = null;
      capturer = null;
      captureNanos += System.nanoTime() - started;
    }
    byte[] result = captured;
    captured = null;
    if (result == null) {
      throw CommandException.failed("expectation", "the JVM handed back no class file for " + type.getName());
    }
    return result;
  }

  /** Returns the time spent capturing since the last call, in nanoseconds, and starts counting anew. */
  synchronized long takeCaptureNanos() {
    long nanos = captureNanos;
    captureNanos = 0;
    return nanos;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) {
    if (classBeingRedefined == null || classBeingRedefined != wanted || Thread.currentThread() != capturer) {
      return null;
    }
    captured = classfileBuffer.clone();
    return NOT_A_CLASS_FILE.clone();
  }
}
