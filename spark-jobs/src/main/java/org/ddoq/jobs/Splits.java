package org.ddoq.jobs;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageSources;
import org.ddoq.core.data.SpreadSample;
import org.ddoq.core.eval.LabelledImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A dataset's train and test splits on the driver, as evaluate and train-teacher use them. */
record Splits(LabelledImages train, LabelledImages test, List<String> classNames) {
  private static final Logger LOG = LoggerFactory.getLogger(Splits.class);

  /**
   * @param maxTrain at most this many training images, spread over the classes; 0: all
   */
  static Splits read(SparkSession spark, String data, String format, int maxTrain) {
    ImageDataset train = ImageSources.read(spark, data, format, "train", null);
    if (maxTrain > 0) {
      train =
          new ImageDataset(
              SpreadSample.take(train.rows(), maxTrain, 0),
              train.shape(),
              train.classNames(),
              train.skipped(),
              train.format());
    }
    int classes = train.classNames().size();
    Splits splits =
        new Splits(
            LabelledImages.collect(train, classes),
            LabelledImages.collect(
                ImageSources.read(spark, data, format, "test", train.shape()), classes),
            train.classNames());
    LOG.info(
        "Data: {} training and {} test images of {} classes ({})",
        splits.train.size(),
        splits.test.size(),
        classes,
        train.shape());
    return splits;
  }
}
