package org.jlivepatch.agent.rt;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR record of one patch command or load-time patch: what was done, by whom, and the result. */
@Name("org.jlivepatch.PatchCommand")
@Label("Live Patch Command")
@Category("jlivepatch")
@Description("An apply, revert or replace of a live patch, or its refusal")
@StackTrace(false)
final class PatchCommandEvent extends Event {

  @Label("Action")
  String action;

  @Label("Patch Id")
  String patchId;

  @Label("OS User")
  String user;

  @Label("Result")
  String result;

  @Label("Exit Code")
  int exitCode;

  @Label("Message")
  String message;
}
