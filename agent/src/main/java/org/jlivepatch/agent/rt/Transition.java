package org.jlivepatch.agent.rt;

import java.lang.StackWalker.StackFrame;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jlivepatch.core.model.Guard;

/**
 * One per-thread consistency transition, the JVM analog of Linux's per-task consistency model:
 * each thread moves from the old code to the new code of a set of gated methods at a moment when
 * none of those methods, and none of the guard methods, is on its stack, so that no call chain of
 * one thread mixes the two versions.
 *
 * <p>Use: create it, take a {@link #gate} handle per gated method and install the gated classes
 * (every gate answers "old" until {@link #start()}), call {@link #start()} right after, then wait
 * with {@link #await} or {@link #outcome()} and read {@link #status()} from any thread at any time.
 * After it finished, every gate keeps answering a constant: "new" once {@link TransitionState#COMPLETED
 * completed} or {@link TransitionState#FORCED forced}, "old" once {@link TransitionState#REVERSED
 * reversed}, so gated code may go on running until the classes are folded.
 *
 * <p>Each thread has one word: bit 0 its universe (1 = the new code), the bits above a count of
 * its moves and of its gated entries while not at the target. A gated entry of a thread at the
 * target changes nothing. A thread not at the target checks its own stack, exactly (declaring class,
 * name and descriptor), backing off (1, 2, 4 ... 1024 entries between checks) while it is held; every
 * such entry also bumps its count. In that check a guard frame that directly calls the gated method
 * asking does not hold if that call is one before which the invocation called nothing
 * ({@link GuardSites}): the thread then runs the target's code for the whole rest of that
 * invocation. The switcher thread ({@code jlivepatch-transition}, every 10 ms) moves threads from
 * outside: it reads their words, takes their stacks ({@link StackSnapshots}: in one safepoint where
 * the JDK would stop the JVM once per thread), and moves each thread with a compare-and-set of its
 * word only if no gated or guard method (by class and method name: overloads count) is on its
 * stack; an entry in between changed the word, so a race always fails towards staying. Every
 * decision is confirmed against the transition's phase after it is made, so a thread never acts on
 * a target the switcher has already left.
 *
 * <p>Threads created after {@link #start()} (their ids are higher than any id drawn before) have
 * never run gated code when they first enter it, so they take the target without a check.
 * Threads that exist at the start, or are found later with a lower id, start on the old code.
 */
public final class Transition {

  /** The switcher's period. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** Most gated entries between two stack checks of a thread held in old code. */
  static final int MAX_BACKOFF = 1024;
  /** Compare-and-set attempts per tick on a thread whose stack is clean but that keeps entering gated code. */
  private static final int OUTSIDE_ATTEMPTS = 3;
  private static final String SWITCHER_NAME = "jlivepatch-transition";

  private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
  private static final MethodHandle ENTER;
  private static final VarHandle WORD;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      ENTER = lookup.findVirtual(Transition.class, "enter", MethodType.methodType(boolean.class, int.class));
      WORD = lookup.findVarHandle(ThreadState.class, "word", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The phases; each is entered at most once, so identity tells whether the phase moved.
   * {@code target}: the universe threads move to (true = new code); for a fixed phase, the answer.
   */
  private enum Phase {
    PREPARED(TransitionState.PREPARED, false, true),
    RUNNING(TransitionState.RUNNING, true, false),
    REVERSING(TransitionState.REVERSING, false, false),
    COMPLETED(TransitionState.COMPLETED, true, true),
    REVERSED(TransitionState.REVERSED, false, true),
    FORCED(TransitionState.FORCED, true, true);

    final TransitionState state;
    final boolean target;
    final boolean fixed;

    Phase(TransitionState state, boolean target, boolean fixed) {
      this.state = state;
      this.target = target;
      this.fixed = fixed;
    }
  }

  /** A thread's word, and its back-off, which only the thread itself touches. */
  private static final class ThreadState {
    volatile long word;
    int skip;
    int backoff;

    ThreadState(boolean universe) {
      this.word = universe ? 1 : 0;
    }
  }

  private final String command;
  private final String patchId;
  private final GatedMethod[] methods;
  private final MethodHandle[] gates;
  private final Map<String, List<GatedMethod>> methodsByName = new HashMap<>();
  private final Map<String, List<Guard>> guardsByName = new HashMap<>();
  /** Class name to method names, gated and guards: what a {@link StackTraceElement} can be matched by. */
  private final Map<String, Set<String>> heldNames = new HashMap<>();
  /** The calls at which a guard frame does not hold: nothing called yet in that invocation. */
  private final GuardSites guardSites;
  private final long timeoutNanos;
  private final boolean forceAtTimeout;
  private final LiveThreads liveThreads;

  private final ConcurrentHashMap<Thread, ThreadState> states = new ConcurrentHashMap<>();
  /** Counts threads registering themselves, so a completion check can tell it missed one. */
  private final AtomicInteger registrations = new AtomicInteger();
  private final CompletableFuture<TransitionStatus> outcome = new CompletableFuture<>();
  private volatile Phase phase = Phase.PREPARED;
  /** Threads with this id or higher were created after the start; MAX_VALUE until then. */
  private volatile long firstNewId = Long.MAX_VALUE;
  private volatile boolean forceRequested;
  private volatile boolean reverseRequested;
  private volatile TransitionStatus published;
  private volatile Thread switcher;
  private volatile String error;
  private Instant startedAt;
  private long startNanos;
  private long reverseDeadline;

  /**
   * Prepares a transition; nothing runs until {@link #start()}.
   *
   * @param command the command's name for the status (apply, revert, replace)
   * @param patchId the patch's id for the status
   * @param methods the gated methods: each gets a {@link #gate}, and a thread is held while any is on its stack
   * @param guards methods outside the transition that hold a thread as well, matched by class name
   *     (in any loader, loaded or not), method name and descriptor
   * @param timeout how long the transition may run before it is forced or reversed, and how long
   *     a reversal may run before the status calls it overdue
   * @param force at the timeout, finish at the new code with the stragglers where they are, instead of reversing
   * @param liveThreads the thread enumeration
   */
  public Transition(String command, String patchId, Collection<GatedMethod> methods, Collection<Guard> guards,
      Duration timeout, boolean force, LiveThreads liveThreads) {
    this(command, patchId, methods, guards, GuardSites.NONE, timeout, force, liveThreads);
  }

  /**
   * Prepares a transition whose guard frames do not hold a thread at the calls {@code guardSites}
   * names free; see {@link #Transition(String, String, Collection, Collection, Duration, boolean, LiveThreads)}.
   */
  Transition(String command, String patchId, Collection<GatedMethod> methods, Collection<Guard> guards,
      GuardSites guardSites, Duration timeout, boolean force, LiveThreads liveThreads) {
    this.guardSites = Objects.requireNonNull(guardSites, "guardSites");
    this.command = Objects.requireNonNull(command, "command");
    this.patchId = Objects.requireNonNull(patchId, "patchId");
    this.methods = new LinkedHashSet<>(methods).toArray(new GatedMethod[0]);
    this.timeoutNanos = Math.max(0, timeout.toNanos());
    this.forceAtTimeout = force;
    this.liveThreads = Objects.requireNonNull(liveThreads, "liveThreads");
    this.gates = new MethodHandle[this.methods.length];
    for (int i = 0; i < this.methods.length; i++) {
      GatedMethod m = this.methods[i];
      methodsByName.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
      heldNames.computeIfAbsent(m.owner().getName(), k -> new HashSet<>()).add(m.name());
      gates[i] = MethodHandles.insertArguments(ENTER.bindTo(this), 0, i);
    }
    for (Guard g : guards) {
      String className = g.className().replace('/', '.');
      guardsByName.computeIfAbsent(g.method(), k -> new ArrayList<>())
          .add(new Guard(className, g.method(), g.descriptor(), g.reason()));
      heldNames.computeIfAbsent(className, k -> new HashSet<>()).add(g.method());
    }
    this.published = snapshot(Phase.PREPARED, 0, 0, List.of(), false, false);
  }

  /**
   * The gate of a gated method: a {@code ()Z} handle its entry calls, true when this call is to run
   * the new code. The same handle for every call with the same method.
   *
   * @param owner the gated method's declaring class
   * @param nameAndDescriptor e.g. {@code encode(Ljava/lang/String;)[B}, as in the gate's indy key
   * @throws IllegalArgumentException if the method is not one of the transition's
   */
  public MethodHandle gate(Class<?> owner, String nameAndDescriptor) {
    int paren = nameAndDescriptor.indexOf('(');
    if (paren <= 0) {
      throw new IllegalArgumentException("not a method name and descriptor: " + nameAndDescriptor);
    }
    return gate(new GatedMethod(owner, nameAndDescriptor.substring(0, paren), nameAndDescriptor.substring(paren)));
  }

  /**
   * The gate of {@code method}; see {@link #gate(Class, String)}.
   *
   * @throws IllegalArgumentException if the method is not one of the transition's
   */
  public MethodHandle gate(GatedMethod method) {
    for (int i = 0; i < methods.length; i++) {
      if (methods[i].equals(method)) {
        return gates[i];
      }
    }
    throw new IllegalArgumentException("method " + method + " in loader "
        + Loaders.describe(method.owner().getClassLoader()) + " is not gated by the transition of "
        + command + " " + patchId);
  }

  /**
   * Starts moving threads: call it once the gated classes run. Every thread alive now may be
   * running the old code; threads created from now on take the target at their first gated entry.
   * Returns at once; the switcher thread does the rest.
   *
   * @throws IllegalStateException if already started
   */
  public void start() {
    synchronized (this) {
      if (phase != Phase.PREPARED) {
        throw new IllegalStateException("transition of " + command + " " + patchId + " already started");
      }
      startedAt = Instant.now();
      startNanos = System.nanoTime();
      // Phase first, id second: a thread whose id is drawn after ours sees RUNNING at its first entry,
      // so it never ran the old code through a gate answering for PREPARED.
      phase = Phase.RUNNING;
      Thread thread = new Thread(this::run, SWITCHER_NAME);
      thread.setDaemon(true);
      firstNewId = thread.getId();
      published = snapshot(Phase.RUNNING, 0, 0, List.of(), false, false);
      switcher = thread;
      thread.start();
    }
  }

  /** Completes with the final status once the transition finished (completed, reversed or forced). */
  public CompletableFuture<TransitionStatus> outcome() {
    return outcome.copy();
  }

  /**
   * Waits up to {@code wait} for the transition to finish; returns the final status, or the current
   * one if it is still running (or the waiting thread was interrupted: its flag is set again).
   */
  public TransitionStatus await(Duration wait) {
    try {
      return outcome.get(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return status();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return status();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The status as of the switcher's last look (at most one tick old); never blocks. */
  public TransitionStatus status() {
    TransitionStatus last = published;
    if (last.state() == TransitionState.PREPARED || last.state().finished()) {
      return last;
    }
    return last.withElapsed(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  /** Asks the switcher to reverse now, as at a timeout without force; nothing if not running. */
  public void reverse() {
    reverseRequested = true;
    LockSupport.unpark(switcher);
  }

  /**
   * Asks the switcher to finish now at its current target with the stragglers where they are:
   * {@link TransitionState#FORCED} while running; while reversing, {@link TransitionState#REVERSED}
   * with {@link TransitionStatus#forced()} set (threads still in new code may then mix).
   */
  public void force() {
    forceRequested = true;
    LockSupport.unpark(switcher);
  }

  /**
   * Finishes a transition that was never started as {@link TransitionState#REVERSED}, e.g. when the
   * gated classes could not be installed; its gates already answered "old". Returns false, and does
   * nothing, once started.
   */
  public boolean cancel() {
    synchronized (this) {
      if (phase != Phase.PREPARED) {
        return false;
      }
      phase = Phase.REVERSED;
      publishEnd(snapshot(Phase.REVERSED, 0, 0, List.of(), false, false));
      return true;
    }
  }

  /** How many threads hold a per-thread state; zero once finished. */
  int trackedThreads() {
    return states.size();
  }

  // ---------------------------------------------------------------- the gate

  /** At the entry of gated method number {@code method}: whether this call runs the new code. */
  @SuppressWarnings("unused") // through ENTER
  private boolean enter(int method) {
    Thread thread = Thread.currentThread();
    boolean clean = false;
    while (true) {
      Phase p = phase;
      if (p.fixed) {
        return p.target;
      }
      ThreadState s = states.get(thread);
      if (s == null) {
        // A thread created after the start has run no gated code yet: either universe is safe for it.
        boolean fresh = thread.getId() >= firstNewId;
        s = register(thread, fresh && p.target);
        clean |= fresh;
      }
      long w = s.word;
      boolean at = (w & 1) != 0;
      if (at == p.target) {
        if (phase == p) {
          return at;
        }
        continue;
      }
      if (!clean) {
        if (s.skip > 0) {
          s.skip--;
        } else if (ownStackClean(method)) {
          clean = true;
        } else {
          s.backoff = Math.min(Math.max(1, s.backoff << 1), MAX_BACKOFF);
          s.skip = s.backoff;
        }
      }
      // Moving, or only counting the entry: either way the word changes, which fails any move the
      // switcher decided from a stack snapshot taken before this entry.
      long next = clean ? moved(w, p.target) : w + 2;
      if (!WORD.compareAndSet(s, w, next) || phase != p) {
        continue;
      }
      if (clean) {
        s.backoff = 0;
        s.skip = 0;
        return p.target;
      }
      return at;
    }
  }

  private static long moved(long word, boolean universe) {
    return ((word + 2) & ~1L) | (universe ? 1 : 0);
  }

  private ThreadState register(Thread thread, boolean universe) {
    ThreadState created = new ThreadState(universe);
    ThreadState existing = states.putIfAbsent(thread, created);
    if (existing != null) {
      return existing;
    }
    registrations.incrementAndGet();
    if (phase.fixed) {
      states.remove(thread, created); // finished meanwhile: keep no reference to the thread
    }
    return created;
  }

  /** Whether the calling thread's stack holds no gated or guard method, leaving out the gate's own frames and the gated frame asking. */
  private boolean ownStackClean(int method) {
    GatedMethod asking = methods[method];
    try {
      return WALKER.walk(frames -> noneHeld(frames, asking));
    } catch (RuntimeException | Error e) { // a stack overflow in the walk, say: a gate must not throw; stay
      return false;
    }
  }

  private boolean noneHeld(Stream<StackFrame> frames, GatedMethod asking) {
    Iterator<StackFrame> it = frames.iterator();
    boolean leading = true;
    // The gated method asking, while the frame after it is the next one: a guard frame calling it
    // directly may be at a call before which it called nothing (see GuardSites).
    StackFrame askingFrame = null;
    while (it.hasNext()) {
      StackFrame frame = it.next();
      if (leading) {
        if (frame.getDeclaringClass() == Transition.class) {
          continue;
        }
        leading = false;
        // The gated method asking has run nothing yet. If some other frame came first (the gate was
        // called through a helper), nothing is left out: the check errs towards "held".
        if (is(frame, asking)) {
          askingFrame = frame;
          continue;
        }
      }
      if (holds(frame, askingFrame)) {
        return false;
      }
      askingFrame = null;
    }
    return true;
  }

  private static boolean is(StackFrame frame, GatedMethod method) {
    return frame.getDeclaringClass() == method.owner() && frame.getMethodName().equals(method.name())
        && frame.getDescriptor().equals(method.descriptor());
  }

  /**
   * Whether {@code frame} holds the thread; {@code callee} is the gated method asking when
   * {@code frame} calls it, else null.
   */
  private boolean holds(StackFrame frame, StackFrame callee) {
    String name = frame.getMethodName();
    List<GatedMethod> gated = methodsByName.get(name);
    List<Guard> guards = guardsByName.get(name);
    if (gated == null && guards == null) {
      return false;
    }
    String descriptor = frame.getDescriptor();
    if (gated != null) {
      Class<?> owner = frame.getDeclaringClass();
      for (GatedMethod m : gated) {
        if (m.owner() == owner && m.descriptor().equals(descriptor)) {
          return true;
        }
      }
    }
    if (guards != null) {
      String className = frame.getClassName();
      for (Guard g : guards) {
        if (g.className().equals(className) && g.descriptor().equals(descriptor)) {
          // A guard invocation whose first call is the gated method asking (which has run nothing
          // yet) has run no code of the patch: switched here, it runs the target's code throughout.
          // Only a direct call: a helper in between may have called patched code already.
          return callee == null || !guardSites.free(frame.getDeclaringClass(), name, descriptor,
              frame.getByteCodeIndex(), callee.getMethodName(), callee.getDescriptor());
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- the switcher

  private void run() {
    while (true) {
      try {
        if (tick()) {
          return;
        }
      } catch (Throwable t) { // keep going: the gates depend on this thread finishing the transition
        error = t.toString();
      }
      LockSupport.parkNanos(this, TICK_NANOS);
    }
  }

  /** What one look at every thread found. */
  private record Pass(int threads, int switched, List<Straggler> stragglers, boolean complete) {}

  /** One look at every thread, and what follows from it; returns true once finished. */
  private boolean tick() {
    Phase p = phase;
    if (p == Phase.RUNNING && reverseRequested) {
      p = reverse(System.nanoTime());
    }
    Pass pass = pass(p);
    if (pass.complete) {
      return finish(p.target ? Phase.COMPLETED : Phase.REVERSED, pass, false);
    }
    long now = System.nanoTime();
    if (p == Phase.RUNNING && now - startNanos >= timeoutNanos) {
      if (forceAtTimeout) {
        return finish(Phase.FORCED, pass, true);
      }
      p = reverse(now);
      pass = pass(p);
      if (pass.complete) {
        return finish(Phase.REVERSED, pass, false);
      }
    }
    if (forceRequested) {
      return finish(p.target ? Phase.FORCED : Phase.REVERSED, pass, true);
    }
    boolean overdue = p == Phase.REVERSING && now - reverseDeadline >= 0;
    published = snapshot(p, pass.threads, pass.switched, pass.stragglers, false, overdue);
    return false;
  }

  private Phase reverse(long now) {
    reverseDeadline = now + timeoutNanos;
    phase = Phase.REVERSING;
    return Phase.REVERSING;
  }

  /** One thread of a pass: what the switcher last saw of it. */
  private static final class Look {
    final Thread thread;
    final ThreadState state;
    long word;
    StackTraceElement[] stack = new StackTraceElement[0];
    int held = -1;
    boolean at;

    Look(Thread thread, ThreadState state) {
      this.thread = thread;
      this.state = state;
    }
  }

  /** Moves every thread it can towards {@code p}'s target and lists those it cannot. */
  private Pass pass(Phase p) {
    int registered = registrations.get();
    enroll();
    Thread self = Thread.currentThread();
    List<Look> looks = new ArrayList<>();
    for (Map.Entry<Thread, ThreadState> entry : states.entrySet()) {
      Thread thread = entry.getKey();
      if (thread == self) {
        continue;
      }
      if (!thread.isAlive()) {
        states.remove(thread, entry.getValue());
        continue;
      }
      looks.add(new Look(thread, entry.getValue()));
    }
    for (int attempt = 0; attempt < OUTSIDE_ATTEMPTS; attempt++) {
      // Each word is read before the stacks are taken: an entry into gated code after the read
      // changes the word and fails the move below, so a race always fails towards staying.
      List<Look> open = new ArrayList<>();
      for (Look look : looks) {
        if (look.at || look.held >= 0) {
          continue;
        }
        look.word = look.state.word;
        if (((look.word & 1) != 0) == p.target) {
          look.at = true;
        } else {
          open.add(look);
        }
      }
      if (open.isEmpty()) {
        break;
      }
      StackTraceElement[][] stacks = StackSnapshots.of(open.stream().map(look -> look.thread).toList());
      for (int i = 0; i < stacks.length; i++) {
        Look look = open.get(i);
        look.stack = stacks[i];
        look.held = firstHeld(look.stack);
        look.at = look.held < 0 && WORD.compareAndSet(look.state, look.word, moved(look.word, p.target));
      }
    }
    List<Straggler> stragglers = new ArrayList<>();
    int threads = 0;
    int switched = 0;
    for (Look look : looks) {
      if (look.at) {
        threads++;
        switched++;
      } else if (look.thread.isAlive()) {
        threads++;
        Thread thread = look.thread;
        stragglers.add(new Straggler(thread.getName(), thread.getId(), LiveThreads.isVirtual(thread),
            thread.getState(), look.held >= 0 ? Straggler.describe(look.stack[look.held]) : null,
            List.of(look.stack)));
      }
    }
    // A thread that registered itself meanwhile may not have been looked at.
    boolean complete = stragglers.isEmpty() && registrations.get() == registered;
    return new Pass(threads, switched, stragglers, complete);
  }

  /** Gives every live thread created before the start a state on the old code, if it has none yet. */
  private void enroll() {
    long fresh = firstNewId;
    Thread self = Thread.currentThread();
    liveThreads.forEach(thread -> {
      if (thread != self && thread.getId() < fresh && !states.containsKey(thread) && thread.isAlive()) {
        states.putIfAbsent(thread, new ThreadState(false));
      }
    });
  }

  /** Index of the first frame of a gated or guard method, by class and method name; -1 if none. */
  private int firstHeld(StackTraceElement[] stack) {
    for (int i = 0; i < stack.length; i++) {
      Set<String> names = heldNames.get(stack[i].getClassName());
      if (names != null && names.contains(stack[i].getMethodName())) {
        return i;
      }
    }
    return -1;
  }

  private boolean finish(Phase end, Pass pass, boolean forced) {
    phase = end;
    states.clear();
    publishEnd(snapshot(end, pass.threads, pass.switched, forced ? pass.stragglers : List.of(), forced, false));
    return true;
  }

  private void publishEnd(TransitionStatus last) {
    published = last;
    switcher = null;
    outcome.complete(last);
  }

  private TransitionStatus snapshot(Phase p, int threads, int switched, List<Straggler> stragglers, boolean forced,
      boolean overdue) {
    long elapsed = startedAt == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    return new TransitionStatus(p.state, command, patchId, startedAt, elapsed, TimeUnit.NANOSECONDS.toMillis(timeoutNanos),
        threads, switched, liveThreads.visibility(), forced, overdue, stragglers, error);
  }

  @Override
  public String toString() {
    return "transition of " + command + " " + patchId + " (" + phase.state.label() + ")";
  }
}
