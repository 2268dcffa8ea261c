import json

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from logreg_core import LogRegError
from logreg_core.export import binary_test_metrics, model_card
from logreg_core.predict import predict_rows, predictions_file, safe_csv
from logreg_core.threshold import CONVENTION, multiclass_report
from ui import state, theme

st.title("Model")
run = state.trained_run()
if run is None:
    state.no_model_yet()
    st.stop()
state.earlier_data_note(run)
ds, model, setup = run.dataset, run.result.model, state.setup()
threshold = float(setup["threshold"]) if model.is_binary else None
cut = 0.5 if threshold is None else threshold  # what predict() takes; multiclass ignores it (argmax)
st.caption(f"Run {run.run_id} on **{state.literal(ds.title)}**: {model.epochs_trained} "
           f"epoch{'s' * (model.epochs_trained != 1)}, "
           f"{state.ENDED[run.result.stopped_reason]}. "
           + (f"Threshold {state.threshold_text(run, threshold)} "
              f"({state.threshold_how(run.run_id, model.epochs_trained)}); {CONVENTION}."
              if model.is_binary else "Multiclass: the predicted class is the most probable one."))
if model.is_binary and state.threshold_found_on() == "test":
    st.warning("The threshold was set looking at the test split, so test metrics at it (here and in the model "
               "card) are optimistic, not an independent estimate. For one, set it with Validation shown on the "
               "Threshold page.")

if model.is_binary:
    odds, levels = model.odds_ratios(), model.level_odds_ratios()
    weights = pd.DataFrame({"feature": ds.feature_names, "weight (per SD)": model.weights[:, 0]})
    weights = weights.reindex(weights["weight (per SD)"].abs().sort_values(ascending=False).index)
    # A text column's levels (column=value) get their own table, not the chart's: a level's 0/1 column never
    # moves alone, so its per-SD weight and odds ratios mean nothing; its odds against the reference level do.
    level = ~np.isnan(levels["vs_reference"])
    numeric = weights.index[~level[weights.index]]
    top = weights.loc[numeric].head(30).iloc[::-1]
    if len(top):
        fig = go.Figure(go.Bar(x=top["weight (per SD)"], y=top["feature"].map(theme.chart_text), orientation="h",
                               marker_color=np.where(top["weight (per SD)"] > 0, theme.PALETTE["vermillion"],
                                                     theme.PALETTE["blue"])))
        positive = theme.chart_text(ds.class_names[1])
        fig.update_xaxes(title=f"weight on the standardized feature<br>(→ more likely {positive})")
        row = 34 if theme.presentation() else 22  # room for every name at the font size (else Plotly skips some)
        title = "Weights, largest first" + (" (top 30)" if len(numeric) > 30 else "")
        st.plotly_chart(theme.style(fig, title + (" — number columns" if level.any() else ""),
                                    height=max(360, row * len(top) + 120)), key="weights")
    theme.data_table(weights.loc[numeric].assign(**{"odds ratio per SD": odds["per_sd"][numeric],
                                                "odds ratio per raw unit": odds["per_unit"][numeric]}),
                 hide_index=True, column_config={
        "odds ratio per SD": st.column_config.NumberColumn(help="Odds multiply by this for +1 standard deviation."),
        "odds ratio per raw unit": st.column_config.NumberColumn(help="Odds multiply by this for +1 unit of the raw feature."),
    })
    if level.any():
        st.markdown("**Text columns: each level against the column's reference level**")
        rows = np.flatnonzero(level)  # in the loader's order: a column's levels together
        theme.data_table(pd.DataFrame({
            "column": [model.feature_sources[i][0] for i in rows],
            "level": [model.feature_sources[i][1] for i in rows],
            "weight (per SD)": model.weights[rows, 0],
            "odds ratio vs reference level": levels["vs_reference"][rows],
            "reference level": ["(reference)" if levels["reference"][i] == model.feature_sources[i][1]
                                else levels["reference"][i] for i in rows]}),
            hide_index=True, column_config={"odds ratio vs reference level": st.column_config.NumberColumn(
                help="Odds multiply by this when a row's value switches from the reference level to this one.")})
        st.caption("The reference level is the column's most common in training. A level's own 0/1 column "
                   "cannot change alone (a row moves from one level to another), so these odds ratios replace "
                   "per SD and per raw unit.")
    st.caption(f"Bias (log-odds at the training mean): {model.bias[0]:.4f}.")
else:
    st.caption("Each class's weight on each feature, per standard deviation of the feature: a class's logit "
               "rises by its weight when the feature rises by one SD; the softmax turns the logits into "
               f"probabilities.{' The first 200 features are shown.' if model.n_features > 200 else ''}")
    theme.data_table(pd.DataFrame(model.weights, index=ds.feature_names, columns=ds.class_names).iloc[:200])
    st.caption("Biases (each class's logit at the training mean): "
               + ", ".join(f"{state.literal(name)}: {b:.4f}" for name, b in zip(ds.class_names, model.bias)) + ".")

if ds.image_shape is not None and model.n_features == int(np.prod(ds.image_shape)):
    st.subheader("Weights as images")
    images = model.weights.T.reshape(-1, *ds.image_shape)
    fig = px.imshow(images, facet_col=0, facet_col_wrap=5, color_continuous_scale="RdBu_r", origin="upper",
                    zmin=-np.abs(images).max(), zmax=np.abs(images).max())
    labels = ds.class_names if not model.is_binary else [ds.class_names[1]]
    # Plotly lists the facet titles bottom row first: name each by the image it titles ("facet_col=7")
    fig.for_each_annotation(lambda title: title.update(text=labels[int(title.text.rpartition("=")[2])]))
    st.plotly_chart(theme.style(fig, "Red pixels push towards the class, blue away", height=420), key="weight_images")
    st.subheader("Misclassified test images")
    predicted = model.predict(ds.X_test, cut)
    wrong = np.flatnonzero(predicted != ds.y_test)[:24]
    if wrong.size:
        said = model.proba_of_class(ds.X_test[wrong], predicted[wrong])
        scale = max(ds.X_test.max(), 1e-9)
        st.caption("Under each image: its true class, the class the model said, and the model's probability for "
                   "the class it said.")
        st.image([ds.X_test[i].reshape(ds.image_shape) / scale for i in wrong], width=64, clamp=True,
                 caption=[f"true {ds.class_names[ds.y_test[i]]}, said {ds.class_names[predicted[i]]} ({p:.0%})"
                          for i, p in zip(wrong, said)])
    else:
        st.success("No test image is misclassified.")

st.subheader("Predict new rows")
upload = st.file_uploader("Rows to predict (CSV)", type=["csv", "txt"], key="predict_upload",
                          help="Laid out like the training CSV: the same column names, text columns as text, "
                               "blanks allowed (numbers filled with the training medians; blank text counts as "
                               "none of its column's levels, as in training); no label needed.")
if upload is not None:
    try:
        predictions, notes = predict_rows(model, upload.getvalue(), cut)
        for note in notes:
            st.info(state.literal(note))
        st.dataframe(predictions.head(50), hide_index=True,  # probabilities to one number of digits, comparable
                     column_config={c: st.column_config.NumberColumn(format="%.4f")
                                    for c in predictions.columns if c.startswith("probability_")})
        st.download_button("Download predictions (CSV)", safe_csv(predictions), "predictions.csv", "text/csv")
    except LogRegError as exc:
        state.show_error(exc, f"Could not predict {state.literal(upload.name)}")

st.subheader("Downloads")
test_proba = model.predict_proba(ds.X_test)
# at the Threshold page's prevalence and cost ratio (the population it was read for), kept as the link keeps them
test_report = (binary_test_metrics(ds.y_test, test_proba, threshold, prevalence=state.kept_value("prevalence"),
                                   cost_ratio=state.kept_value("cost_ratio", state.POPULATION["cost_ratio"][1]))
               if model.is_binary else multiclass_report(ds.y_test, test_proba, ds.class_names))
card = model_card(model, dataset=ds, config=run.config, history=run.result.history,
                  stopped_reason=run.result.stopped_reason, test_report=test_report,
                  threshold={"value": threshold, "chosen_by": state.threshold_how(run.run_id, model.epochs_trained),
                             "split": state.threshold_found_on(), "convention": CONVENTION}
                  if model.is_binary else None)
c1, c2, c3 = st.columns(3)
c1.download_button("Model card (JSON)", json.dumps(card, indent=2), "model_card.json", "application/json",
                   icon=":material/download:",
                   help="Dataset, features, normalization, weights, odds ratios, config, threshold and test metrics.")
c2.download_button("Test predictions (CSV)", safe_csv(predictions_file(model, ds, cut)), "test_predictions.csv",
                   "text/csv",
                   icon=":material/download:",
                   help="Each test case's row in the data, counted from 1 (for a file, its data row: 1 is the first "
                        "row under the header if there is one, and blank lines are not counted; for a built-in "
                        "dataset, row 1 is the one its library numbers 0), its true class, the model's "
                        "probabilities, predicted class and split (test). The Threshold page's Uploaded scores "
                        "and the threshold command read it as it is.")
SAVED_MODEL_HELP = ("Builds a TensorFlow SavedModel that takes the raw feature columns in the model card's "
                    "feature_names order: a text column as its 0/1 level columns (feature_sources says which), a "
                    "missing value as NaN (a number column takes its training median, a text level 0).")
if c3.button("Prepare SavedModel (zip)", help=SAVED_MODEL_HELP):
    from logreg_core.export import saved_model_zip

    with st.spinner("Exporting…"):
        try:
            st.session_state["saved_model_zip"] = (run.run_id, saved_model_zip(model, cut, card))
        except Exception as exc:  # a full disk, a TensorFlow failure: say so, keep the model
            st.error(f"Could not build the SavedModel ({type(exc).__name__}: {state.literal(exc)}). Your model, "
                     "threshold and settings are unchanged: press the button to try again, or download the model card, "
                     "which holds the weights.")
packed = st.session_state.get("saved_model_zip")
if packed and packed[0] == run.run_id:
    c3.download_button("SavedModel (zip)", packed[1], "logreg_model.zip", "application/zip",
                       icon=":material/download:")
