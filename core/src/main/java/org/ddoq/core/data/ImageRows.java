package org.ddoq.core.data;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Column names and the schema every reader produces: one row per image.
 *
 * <ul>
 *   <li>{@code id} long, unique within the dataset, stable across runs (order of the source)
 *   <li>{@code label} int, 0..numClasses-1, in the order of {@code class_name} sorted as the reader
 *       says
 *   <li>{@code class_name} string
 *   <li>{@code source} string: the file (and index inside it) the image came from, for error
 *       messages
 *   <li>{@code image} binary: unsigned bytes, CHW order, {@link ImageShape#size()} long
 * </ul>
 */
public final class ImageRows {
  public static final String ID = "id";
  public static final String LABEL = "label";
  public static final String CLASS_NAME = "class_name";
  public static final String SOURCE = "source";
  public static final String IMAGE = "image";

  public static final StructType SCHEMA =
      new StructType()
          .add(ID, DataTypes.LongType, false)
          .add(LABEL, DataTypes.IntegerType, false)
          .add(CLASS_NAME, DataTypes.StringType, false)
          .add(SOURCE, DataTypes.StringType, false)
          .add(IMAGE, DataTypes.BinaryType, false);

  private ImageRows() {}
}
