package org.docarray.spark.examples.typed;

import java.io.Serializable;

/** DocArray's built-in {@code TextDoc} as a JavaBean (the fields the quickstart uses). */
public class TextDoc implements Serializable {
  private String id;
  private String text;
  private String url;
  private Tensor embedding;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getText() {
    return text;
  }

  public void setText(String text) {
    this.text = text;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public Tensor getEmbedding() {
    return embedding;
  }

  public void setEmbedding(Tensor embedding) {
    this.embedding = embedding;
  }
}
