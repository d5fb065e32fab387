package org.jlivepatch.agent.rt;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The change commands this agent started, by id, so that {@code await} answers the command that
 * asks and never another one started since (a command turned away as busy, or one sent by another
 * CLI after the first finished).
 */
final class Commands {

  /** Answers kept after their command finished; far more than can wait on the lock at once. */
  static final int KEPT = 32;

  // A plain map, not a LinkedHashMap subclass overriding removeEldestEntry: a new subclass makes
  // the target's compiled code that inlined HashMap.put deoptimise (see AgentRuntime's lock).
  private final Map<Long, CompletableFuture<Properties>> byId = new LinkedHashMap<>();
  private long lastId;

  /** Registers a started command; returns its id (1, 2, ...). */
  synchronized long started(CompletableFuture<Properties> command) {
    long id = ++lastId;
    byId.put(id, command);
    Map.Entry<Long, CompletableFuture<Properties>> eldest = byId.entrySet().iterator().next();
    if (byId.size() > KEPT && eldest.getValue().isDone()) {
      byId.remove(eldest.getKey());
    }
    return id;
  }

  /** The command with {@code id}, or null when it was never started or its answer is no longer kept. */
  synchronized CompletableFuture<Properties> get(long id) {
    return byId.get(id);
  }
}
