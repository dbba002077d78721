package org.docarray.spark.examples.typed;

import java.io.Serializable;
import java.util.List;

/** A float32 tensor column: {@code struct<shape: array<int>, data: array<float>>}. */
public class Tensor implements Serializable {
  private List<Integer> shape;
  private List<Float> data;

  public Tensor() {}

  public Tensor(List<Integer> shape, List<Float> data) {
    this.shape = shape;
    this.data = data;
  }

  public List<Integer> getShape() {
    return shape;
  }

  public void setShape(List<Integer> shape) {
    this.shape = shape;
  }

  public List<Float> getData() {
    return data;
  }

  public void setData(List<Float> data) {
    this.data = data;
  }
}
