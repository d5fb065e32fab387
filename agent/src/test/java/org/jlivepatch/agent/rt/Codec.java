package org.jlivepatch.agent.rt;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.List;
import org.jlivepatch.core.model.Guard;

/**
 * A class as the agent leaves it during a transition, written by hand: {@code encode} and
 * {@code decode} call their gate in their own frame at entry, like the gated bytecode the agent
 * installs, and run the new version or the version the class steadily has. {@code roundTrip} calls
 * both from outside the transition: it is a guard. Each body reports the version it ran, so a round
 * trip that mixed versions shows.
 */
final class Codec {

  /** A gate and the version its "new" path runs (the hidden class's body, in the real thing). */
  record Route(MethodHandle gate, int next) {}

  /** What one round trip ran. */
  record Trip(int encoded, int decoded) {
    boolean mixed() {
      return encoded != decoded;
    }
  }

  static final Runnable NOTHING = () -> { };
  static final String ENCODE = "encode" + MethodType.methodType(int.class, Runnable.class).toMethodDescriptorString();
  static final String DECODE = "decode" + MethodType.methodType(int.class, Runnable.class).toMethodDescriptorString();

  /** The version the class steadily runs; a fold sets it. */
  static volatile int steady;
  static volatile Route encodeRoute;
  static volatile Route decodeRoute;

  private Codec() {}

  static int encode(Runnable inside) {
    Route route = encodeRoute;
    int version;
    try {
      version = route != null && (boolean) route.gate().invokeExact() ? route.next() : steady;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
    inside.run();
    return version;
  }

  static int decode(Runnable inside) {
    Route route = decodeRoute;
    int version;
    try {
      version = route != null && (boolean) route.gate().invokeExact() ? route.next() : steady;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
    inside.run();
    return version;
  }

  static Trip roundTrip(Runnable inEncode, Runnable between) {
    int encoded = encode(inEncode);
    between.run();
    int decoded = decode(NOTHING);
    return new Trip(encoded, decoded);
  }

  static Trip roundTrip() {
    return roundTrip(NOTHING, NOTHING);
  }

  /** The gated methods. */
  static List<GatedMethod> methods() {
    return List.of(gated(ENCODE), gated(DECODE));
  }

  private static GatedMethod gated(String nameAndDescriptor) {
    int paren = nameAndDescriptor.indexOf('(');
    return new GatedMethod(Codec.class, nameAndDescriptor.substring(0, paren), nameAndDescriptor.substring(paren));
  }

  /** roundTrip(Runnable, Runnable) as a guard. */
  static List<Guard> guards() {
    return List.of(new Guard(Codec.class.getName(), "roundTrip",
        MethodType.methodType(Trip.class, Runnable.class, Runnable.class).toMethodDescriptorString(),
        "calls encode and decode"));
  }

  /** Installs the gates of {@code transition}, whose new code is version {@code next}. */
  static void install(Transition transition, int next) {
    encodeRoute = new Route(transition.gate(Codec.class, ENCODE), next);
    decodeRoute = new Route(transition.gate(Codec.class, DECODE), next);
  }

  /** What the agent does once a transition finished: redefines to the steady form of where it ended. */
  static void fold(TransitionStatus end, int next) {
    if (end.state() != TransitionState.REVERSED) {
      steady = next;
    }
    encodeRoute = null;
    decodeRoute = null;
  }

  static void reset() {
    steady = 0;
    encodeRoute = null;
    decodeRoute = null;
  }
}
