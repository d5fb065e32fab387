package org.jlivepatch.core.model;

import java.util.Objects;

/**
 * How a set of classes was compiled, as far as the class files and jar manifests tell.
 *
 * @param buildJdk the JDK named by the manifest ({@code Build-Jdk-Spec}, {@code Build-Jdk} or
 *     {@code Created-By}); empty when unknown
 * @param majorVersion the highest class-file major version among the classes, 0 when none
 */
public record BuildInfo(String buildJdk, int majorVersion) {

  /** Nothing is known. */
  public static final BuildInfo UNKNOWN = new BuildInfo("", 0);

  public BuildInfo {
    Objects.requireNonNull(buildJdk, "buildJdk");
  }
}
