package org.jlivepatch.agent.rt;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The patches applied in this JVM, bottom to top. Readers (the class-load patcher, the MBean) see
 * an immutable snapshot; only commands, which run one at a time, change it.
 */
final class PatchStack {

  private volatile List<AppliedPatch> entries = List.of();
  private volatile Set<String> classNames = Set.of();

  /** The patches, bottom first. */
  List<AppliedPatch> entries() {
    return entries;
  }

  /** Binary names of every class any patch on the stack changes. */
  Set<String> classNames() {
    return classNames;
  }

  Optional<AppliedPatch> top() {
    List<AppliedPatch> snapshot = entries;
    return snapshot.isEmpty() ? Optional.empty() : Optional.of(snapshot.get(snapshot.size() - 1));
  }

  synchronized void push(AppliedPatch patch) {
    List<AppliedPatch> next = new ArrayList<>(entries);
    next.add(patch);
    set(next);
  }

  synchronized void pop() {
    List<AppliedPatch> next = new ArrayList<>(entries);
    next.remove(next.size() - 1);
    set(next);
  }

  synchronized void replaceAll(AppliedPatch patch) {
    set(List.of(patch));
  }

  /** The patch ids bottom to top, comma-separated. */
  String ids() {
    return entries.stream().map(AppliedPatch::id).collect(Collectors.joining(","));
  }

  private void set(List<AppliedPatch> next) {
    Set<String> names = new HashSet<>();
    next.forEach(p -> p.patch().classes().forEach(c -> names.add(c.name())));
    classNames = Set.copyOf(names);
    entries = List.copyOf(next);
  }
}
