import streamlit as st

st.title("LogReg Lab")
st.markdown(
    """
Train a **logistic regression** and watch it learn, epoch by epoch. Then move the
**decision threshold** and see at once what it does to the errors: the confusion matrix,
false-positive and false-negative rates, sensitivity, specificity and predictive values,
each with its 95% interval.

**What to do first**
1. **Data** — the Wisconsin breast-cancer data is already chosen (malignant is the positive class).
   Pick digits, MNIST, synthetic data or your own CSV instead if you like.
2. **Train** — press **Train** and watch the loss and accuracy curves grow.
3. **Threshold** — move the slider; use the operating-point buttons; set your population's prevalence.
4. **Model** — read the weights as odds ratios, predict new rows, download the model and its card.
"""
)
st.warning(
    "LogReg Lab is for teaching and exploration, not for clinical decisions. "
    "Its numbers describe the data you give it, nothing more.",
)
st.caption("Use **Copy link** in the sidebar to hand out this exact set-up; "
           "**Presentation mode** makes everything readable on a projector.")
