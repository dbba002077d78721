package org.docarray.spark.examples.typed;

import java.io.Serializable;

/** {@code class Thesis(BaseDoc): title: TextDoc; year: Optional[int] = None}. */
public class Thesis implements Serializable {
  private String id;
  private TextDoc title;
  private Integer year;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public TextDoc getTitle() {
    return title;
  }

  public void setTitle(TextDoc title) {
    this.title = title;
  }

  public Integer getYear() {
    return year;
  }

  public void setYear(Integer year) {
    this.year = year;
  }
}
