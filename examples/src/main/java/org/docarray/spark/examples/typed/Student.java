package org.docarray.spark.examples.typed;

import java.io.Serializable;

/** {@code class Student(BaseDoc): name: str; thesis: Thesis}, the seed's example document. */
public class Student implements Serializable {
  private String id;
  private String name;
  private Thesis thesis;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Thesis getThesis() {
    return thesis;
  }

  public void setThesis(Thesis thesis) {
    this.thesis = thesis;
  }
}
