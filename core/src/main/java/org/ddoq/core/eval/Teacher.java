package org.ddoq.core.eval;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;

/**
 * The network whose test accuracy is the "whole training set" row and whose logits are the soft
 * labels of the teacher protocol: the built-in ConvNet trained on the whole training split ({@link
 * BuiltInTeacher}), or a TorchScript classifier the user brings ({@link ImportedTeacher}).
 * Serializable with its weights inside, so that one Spark broadcast gives every student task the
 * teacher.
 */
public sealed interface Teacher extends Serializable permits BuiltInTeacher, ImportedTeacher {

  /**
   * What makes two teachers give the same soft labels; part of every teacher-labelled student's
   * fingerprint.
   */
  String key();

  /** Fraction of the real test split it classifies correctly. */
  double testAccuracy();

  /** Seconds it took to train (built-in, 0 when cached) or to check and test (imported). */
  double seconds();

  /** A new CPU model on the engine the teacher needs, to {@link #load} into. */
  Model newModel();

  /**
   * The teacher as a block for inference, owned by {@code model}: input (N, C, H, W) in [-1, 1] as
   * {@link Batches} makes it, output (N, classes) logits in the data's class order.
   */
  Block load(Model model, Shape inputShape);

  /** Adds what identifies it and how well it does to results.json's "teacher" object. */
  void describe(ObjectNode teacher);

  /** One sentence for results.md: which teacher, and its test accuracy. */
  String summary();
}
