# ---
# jupyter:
#   kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
#   harden_example:
#     kind: extract
#     summary: Rolling z-score anomaly detection on four temperature sensors. No markdown at
#       all (nothing to split sections on); a helper function defined mid-notebook.
#     notes: 'Key result: `anomaly_rates` (DataFrame, last cell); `readings` gains an `anomaly`
#       column.'
#     runs: true
#     expect: [H502]
# ---

# %% key="imports"
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

# %% key="load"
readings = pd.read_csv("sensors.csv", parse_dates=["timestamp"])
readings = readings.sort_values(["sensor_id", "timestamp"]).reset_index(drop=True)
readings.head()

# %% key="zscores"
window = 12
rolling = readings.groupby("sensor_id")[["temperature", "vibration"]].rolling(window, min_periods=3)
baseline = rolling.mean().reset_index(level=0, drop=True)
spread = rolling.std().reset_index(level=0, drop=True).replace(0, np.nan)
zscores = (readings[["temperature", "vibration"]] - baseline.shift(1)) / spread.shift(1)
zscores.describe().round(2)

# %% key="flag"
def flag_anomalies(z, threshold=3.5):
    return (z.abs() > threshold).any(axis=1)


readings["anomaly"] = flag_anomalies(zscores)
readings["anomaly"].mean()

# %% key="plot"
fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
for ax, (sensor, part) in zip(axes.ravel(), readings.groupby("sensor_id")):
    ax.plot(part["timestamp"], part["temperature"], lw=0.8)
    flagged = part[part["anomaly"]]
    ax.scatter(flagged["timestamp"], flagged["temperature"], color="red", s=10)
    ax.set_title(sensor)
fig.autofmt_xdate()

# %% key="rates"
anomaly_rates = (
    readings.groupby("sensor_id")
    .agg(n_readings=("anomaly", "size"), anomalies=("anomaly", "sum"), max_temperature=("temperature", "max"))
    .assign(rate=lambda t: (t["anomalies"] / t["n_readings"]).round(4))
)
anomaly_rates
