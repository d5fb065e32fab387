package org.jlivepatch.agent.rt;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.BitSet;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import org.jlivepatch.core.trampoline.HostAccess;
import org.jlivepatch.core.trampoline.LambdaProxies;

/**
 * Links the {@code invokedynamic} instructions of patched classes and of their hidden classes:
 * every bridge's bootstrap method ends here. A call site's key (see
 * {@code org.jlivepatch.core.trampoline.Trampolines}) names the generation that emitted it (by its
 * slot in a patched class, by its id in a hidden class), the kind of link and its target; each
 * links once, to a constant target, so after the JIT the indirection costs nothing.
 */
final class Linker {

  /** {@code (Lookup,String,MethodType,String)CallSite}, the handle every bridge calls. */
  static final MethodHandle LINK;

  /**
   * {@code (Lookup,String,MethodType,Object[])CallSite}, the handle every bridge's lambda bootstrap
   * calls: the lambdas of hidden classes, which need nothing of their generation.
   */
  static final MethodHandle LAMBDA;

  /** How long a closed generation still links: code of a class version just replaced may still be running. */
  private static final long RETIRE_NANOS = 60_000_000_000L;
  /**
   * How long a closed generation keeps its slot. Slot keys sit only at the entry of patched methods,
   * so only a thread that had entered a replaced method version but not run its first instruction
   * at the switch links one after the close: it goes on within moments of the safepoint, unless it
   * waits for the monitor of a synchronized method. Longer would let a patched class's constant pool
   * grow by a slot's keys for every generation closed meanwhile (below).
   */
  private static final long SLOT_GRACE_NANOS = 2_000_000_000L;

  private static final Linker INSTANCE = new Linker(RETIRE_NANOS, SLOT_GRACE_NANOS);

  static {
    try {
      LINK = MethodHandles.lookup().findVirtual(Linker.class, "link", MethodType.methodType(CallSite.class,
          MethodHandles.Lookup.class, String.class, MethodType.class, String.class)).bindTo(INSTANCE);
      LAMBDA = MethodHandles.lookup().findStatic(LambdaProxies.class, "link", MethodType.methodType(CallSite.class,
          MethodHandles.Lookup.class, String.class, MethodType.class, Object[].class)).asFixedArity();
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long retireNanos;
  private final long slotGraceNanos;
  private final ConcurrentHashMap<String, Generation> generations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> retiredAt = new ConcurrentHashMap<>();
  /** Slots in use: the key prefixes written into patched classes. Guarded by this. */
  private final BitSet slots = new BitSet();
  private long nextGeneration;
  /** The thread dropping retired generations when they are due, while there are any. Guarded by this. */
  private Thread dropper;

  /**
   * @param retireNanos how long a closed generation still links by its id before it is dropped
   * @param slotGraceNanos how long a closed generation still links by its slot (at most {@code retireNanos})
   */
  Linker(long retireNanos, long slotGraceNanos) {
    this.retireNanos = retireNanos;
    this.slotGraceNanos = Math.min(slotGraceNanos, retireNanos);
  }

  static Linker instance() {
    return INSTANCE;
  }

  /** Opens a new generation: the links of one switch of classes. */
  synchronized Generation open(String label) {
    long now = System.nanoTime();
    dropRetired(now);
    retiredAt.forEach((id, at) -> {
      if (now - at > slotGraceNanos) {
        freeSlot(generations.get(id));
      }
    });
    int slot = slots.nextClearBit(0);
    slots.set(slot);
    Generation generation = new Generation("g" + (++nextGeneration), "s" + slot, label);
    generations.put(generation.id(), generation);
    generations.put(generation.slot(), generation);
    return generation;
  }

  /** Forgets a generation: its hidden classes and shadow stores become collectable once no code links them. */
  void close(Generation generation) {
    if (generation != null && generations.get(generation.id()) == generation) {
      // A thread may still run a method version of the class just redefined and link one of its call
      // sites now, by id in a hidden class, or by slot at the entry of a patched method (a thread
      // stopped for the switch between entering it and its first instruction). A slot given back at
      // once would fail that link, or link a newer generation: it is kept for a short grace.
      retiredAt.putIfAbsent(generation.id(), System.nanoTime());
      // Only the links need the grace period; the values of the shadow fields go with the patch.
      generation.releaseShadows();
      scheduleDrop();
    }
  }

  /** Drops the generations retired for longer than the grace period; the caller holds this object's lock. */
  private void dropRetired(long now) {
    retiredAt.forEach((id, at) -> {
      if (now - at > retireNanos) {
        retiredAt.remove(id);
        Generation dropped = generations.remove(id);
        if (dropped != null) {
          freeSlot(dropped);
          dropped.forget();
        }
      }
    });
  }

  /**
   * Gives {@code generation}'s slot back for the next generation, if it still holds it; the caller
   * holds this object's lock. A redefinition merges the class's old constant pool into the new one, so every key a
   * patched class ever held stays in it: keys written into patched classes reuse the slots of closed
   * generations, or their pools would grow with every switch.
   */
  private void freeSlot(Generation generation) {
    if (generation != null && generations.remove(generation.slot(), generation)) {
      slots.clear(Integer.parseInt(generation.slot().substring(1)));
    }
  }

  /**
   * Makes sure a retired generation is dropped when due, with no command needed: a daemon thread
   * that waits for the oldest one and ends when none is left, so the agent runs no thread of its
   * own while nothing waits.
   */
  private synchronized void scheduleDrop() {
    if (dropper != null || retiredAt.isEmpty()) {
      return;
    }
    // No inherited thread locals nor context loader: the thread must keep nothing of the target alive.
    Thread thread = new Thread(null, this::dropWhenDue, "jlivepatch-generation-drop", 0, false);
    thread.setDaemon(true);
    thread.setContextClassLoader(null);
    dropper = thread;
    thread.start();
  }

  private void dropWhenDue() {
    synchronized (this) {
      try {
        while (true) {
          long now = System.nanoTime();
          dropRetired(now);
          if (retiredAt.isEmpty()) {
            return;
          }
          long due = Collections.min(retiredAt.values()) + retireNanos;
          // Waiting releases the lock: commands open and close generations meanwhile.
          wait(Math.max(1, (due - now) / 1_000_000 + 1));
        }
      } catch (InterruptedException e) {
        // Only a JVM going down interrupts it; the next command drops what is left.
      } finally {
        dropper = null;
      }
    }
  }

  /** Whether generation id or slot {@code key} still links (open, or closed and not yet dropped). */
  boolean links(String key) {
    return generations.containsKey(key);
  }

  /** Whether the thread dropping retired generations runs. */
  synchronized boolean dropping() {
    return dropper != null;
  }

  /** The bootstrap: resolves {@code key} for {@code caller}. */
  CallSite link(MethodHandles.Lookup caller, String name, MethodType type, String key) throws Throwable {
    String[] parts = key.split("\\|", -1);
    if (parts.length < 3) {
      throw new IllegalArgumentException("malformed jlivepatch link key '" + key + "' in " + caller.lookupClass());
    }
    if (parts[1].equals("host")) {
      if (parts.length != 6) {
        throw new IllegalArgumentException("malformed jlivepatch host key '" + key + "' in " + caller.lookupClass());
      }
      // What only the patched class may do (a super call, a protected member of a superclass in
      // another package), made with its access: it needs nothing of the generation, so code of a
      // generation closed since links it too.
      return new ConstantCallSite(HostAccess.target(caller, parts[2], parts[3], parts[4], parts[5], type));
    }
    Generation generation = generations.get(parts[0]);
    if (generation == null) {
      throw new IllegalStateException("jlivepatch link " + key + " in " + caller.lookupClass().getName()
          + " names generation " + parts[0] + ", which is no longer installed");
    }
    MethodHandle target = switch (parts[1]) {
      case "redirect" -> generation.redirect(caller, parts, type);
      case "gate" -> generation.gate(caller.lookupClass(), parts[2]);
      case "shadow-get", "shadow-put" -> generation.shadowAccessor(caller, parts, parts[1].equals("shadow-put"), type);
      default -> throw new IllegalArgumentException("unknown jlivepatch link kind '" + parts[1] + "' in key " + key);
    };
    return new ConstantCallSite(target.asType(type));
  }
}
