# ---
# jupyter:
#   kernelspec: {display_name: R, language: R, name: ir}
#   harden_example:
#     kind: lint
#     summary: 'A small R notebook (kernel `ir`): harden analyses Python notebooks only.'
#     runs: false
#     runs_note: needs an R kernel (`ir`), which is not installed; stored unexecuted
#     expect: [H503]
#     execute: false
# ---

# %% [markdown]
# # Sales summary (R)
#
# Units and revenue per store and category, for the monthly ops review.

# %% key="imports"
library(dplyr)
library(readr)

# %% key="load"
sales <- read_csv("sales.csv", show_col_types = FALSE)
summary(sales)

# %% key="summary"
sales %>%
  mutate(revenue = units * unit_price) %>%
  group_by(store, category) %>%
  summarise(units = sum(units), revenue = sum(revenue), .groups = "drop") %>%
  arrange(desc(revenue))
