package org.ddoq.core.eval;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;

/**
 * How recognisable a distilled set's images are: the share of them the teacher (the built-in
 * whole-training-set network or an imported one) classifies as the class they stand for, overall
 * and per class. The number a person checks on the contact sheet by eye, as a classifier score: a
 * DiT that draws dresses with legs shows up here as a low Dress score, before any student is
 * trained on the set.
 *
 * @param set the set's name in the results (e.g. "vae", "dit")
 * @param overall recognised images / all images
 * @param perClass recognised / images of class c, at index c (NaN for a class without images)
 */
public record Recognition(String set, double overall, List<Double> perClass) {

  /** The teacher's verdict on every image of {@code set} (unweighted: each image counts once). */
  static Recognition of(String name, LabelledImages set, Teacher teacher) {
    Shape input = new Shape(1, set.shape().channels(), set.shape().height(), set.shape().width());
    try (Model model = teacher.newModel();
        NDManager m = NDManager.newBaseManager()) {
      Block net = teacher.load(model, input);
      double overall = StudentTraining.accuracy(net, m, set);
      List<Double> perClass = new ArrayList<>();
      for (int c = 0; c < set.numClasses(); c++) {
        LabelledImages only = set.only(c);
        perClass.add(only.size() == 0 ? Double.NaN : StudentTraining.accuracy(net, m, only));
      }
      return new Recognition(name, overall, List.copyOf(perClass));
    }
  }
}
