"""What library calls do: one table, read by the analysis, the lint rules and the extractor.

Methods and functions are matched on their name (or, for modules, their
qualified name) — the receiver's type is rarely known statically.  Each set
says one thing about a call; a rule that needs to know whether ``df.dropna()``
changes ``df``, whether ``plt.plot`` only draws, or whether ``StandardScaler``
learns from the rows it is fit on reads it here, so lint and extract never
disagree about a call.  The last section says which package a module, a class or an
error belongs to (repro's causes, the handoff's environment).
"""

from __future__ import annotations

# -- state: what a method does to its receiver --------------------------------------------
#: Keywords with which a call writes into an object it is given: pandas'
#: ``inplace=True`` (the receiver) and the ``out=`` array of NumPy ufuncs, SciPy and
#: torch (``np.multiply(x, 10, out=y)`` computes nothing to show: it fills ``y``).
WRITING_KEYWORDS = frozenset({"inplace", "out"})
#: Methods that change their receiver in place.
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "popitem",
        "clear",
        "update",
        "add",
        "discard",
        "sort",
        "reverse",
        "setdefault",
        "appendleft",
        "extendleft",
        "fit",
        "partial_fit",
        "set_params",
        "write",
        "writerow",
        "writerows",
    }
)
#: In-place methods whose second run gives a different result from the first.
ACCUMULATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "popitem",
        "appendleft",
        "extendleft",
        "partial_fit",
        "add",
        "writerow",
        "writerows",
        "write",
    }
)
#: What a method does on a receiver of a known type, where that differs from the name's
#: general meaning above (the type is the qualified name of the call, or the builtin, that
#: made the receiver: ``s = set()``, ``df = pd.read_csv(...)``): ``"pure"`` methods return a
#: new value and change nothing, ``"idempotent"`` ones change the receiver the same way
#: however often they run. Keys are type prefixes.
METHODS_BY_TYPE: dict[str, dict[str, str]] = {
    "builtins.set": {"add": "idempotent", "discard": "idempotent", "update": "idempotent"},
    "builtins.dict": {"update": "idempotent", "setdefault": "idempotent"},
    "pandas.": {"add": "pure", "append": "pure", "update": "idempotent"},
}
#: Constructors of builtin containers, by how the code writes them (``set()``, ``{1, 2}``).
BUILTIN_CONSTRUCTORS = frozenset({"set", "frozenset", "dict", "list", "tuple"})


def method_effect(receiver_type: str | None, method: str) -> str | None:
    """``"pure"`` / ``"idempotent"`` when :data:`METHODS_BY_TYPE` knows ``method`` on a
    receiver of ``receiver_type``, else ``None`` (decide by the method's name)."""
    if receiver_type is None:
        return None
    for prefix, methods in METHODS_BY_TYPE.items():
        if receiver_type == prefix or (prefix.endswith(".") and receiver_type.startswith(prefix)):
            return methods.get(method)
    return None


# -- idempotence: the same result when applied again (H004) ----------------------------------
#: Methods whose result, applied again, is the same (``x.m().m() == x.m()``); the same
#: methods called with ``inplace=True`` change their receiver idempotently (one table for
#: ``df = df.dropna()`` and ``df.dropna(inplace=True)``).
IDEMPOTENT_METHODS = frozenset(
    {
        "eval",
        "set_axis",
        "copy",
        "dropna",
        "drop_duplicates",
        "fillna",
        "ffill",
        "bfill",
        "astype",
        "sort_values",
        "sort_index",
        "rename",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "title",
        "casefold",
        "round",
        "abs",
        "clip",
        "infer_objects",
        "convert_dtypes",
        "query",
        "head",
        "filter",
        "select_dtypes",
        "interpolate",
        "asfreq",
        "reindex",
        "prefetch",
        "replace",
        "normalize",
        "fit",
    }
)
#: Functions idempotent in their first argument (matched on the last dotted part).
IDEMPOTENT_FUNCTIONS = frozenset(
    {
        "int",
        "float",
        "str",
        "bool",
        "list",
        "tuple",
        "set",
        "frozenset",
        "sorted",
        "to_datetime",
        "to_numeric",
        "to_timedelta",
        "asarray",
        "array",
        "unique",
        "sort",
        "nan_to_num",
        "abs",
        "DataFrame",
        "Series",
    }
)
#: Accessors that only select a view (``df["a"].str.lower()``); only in the middle
#: of a chain: ``X = X.values`` fails on a second run.
ACCESSORS = frozenset({"str", "dt", "cat", "values", "loc"})
#: Predicate methods: a boolean mask built from them filters idempotently.
PREDICATES = frozenset(
    {
        "isin",
        "notna",
        "notnull",
        "isna",
        "isnull",
        "between",
        "contains",
        "startswith",
        "endswith",
        "duplicated",
        "any",
        "all",
    }
)

# -- purity: calls that only compute a value to show (display-only lines) -------------------
#: Methods whose call only computes a value to show (a display-only last line).
PURE_METHODS = frozenset(
    {
        "head",
        "tail",
        "describe",
        "value_counts",
        "nunique",
        "unique",
        "sum",
        "mean",
        "median",
        "std",
        "var",
        "min",
        "max",
        "count",
        "isna",
        "isnull",
        "notna",
        "notnull",
        "corr",
        "cov",
        "round",
        "to_frame",
        "reset_index",
        "sort_values",
        "sort_index",
        "groupby",
        "agg",
        "aggregate",
        "size",
        "memory_usage",
        "select_dtypes",
        "nlargest",
        "nsmallest",
        "quantile",
        "cumsum",
        "pivot",
        "pivot_table",
        "transpose",
        "unstack",
        "stack",
        "keys",
        "copy",
        "astype",
        "rename",
        "set_index",
        "query",
        "filter",
        "dropna",
        "fillna",
        "drop",
        "abs",
        "all",
        "any",
        "idxmax",
        "idxmin",
        "mode",
        "tolist",
        "to_dict",
        "to_numpy",
        "to_string",
        "get_params",
        "items",
        "values",
        "get",
        "format",
        "join",
        "split",
        "strip",
        "upper",
        "lower",
        "replace",
        "crosstab",
        "merge",
        "concat",
        "to_markdown",
    }
)
PURE_FUNCTIONS = frozenset(
    {
        "len",
        "type",
        "repr",
        "str",
        "sorted",
        "list",
        "tuple",
        "set",
        "dict",
        "round",
        "abs",
        "isinstance",
        "min",
        "max",
        "sum",
        "id",
        "dir",
        "vars",
        "float",
        "int",
        "bool",
        "range",
        "zip",
        "enumerate",
        "reversed",
        "any",
        "all",
        "format",
        "hash",
    }
)
PURE_MODULES = ("pandas.", "numpy.")
IMPURE_PREFIXES = (
    "numpy.random",
    "pandas.read_",
    "pandas.io",
    "numpy.save",
    "numpy.load",
    "pandas.set_option",
    "pandas.reset_option",
    "pandas.options",
    "numpy.seterr",
    "numpy.set_printoptions",
)

# -- configuration: calls that set the session up (extract folds them into the preamble) -----
#: Calls that only configure how the session warns, shows tables or draws figures: a
#: notebook's setup, not a computation.  Extract moves them to the module's preamble
#: (after its imports); they never go into a step or a ``plot_*`` function.
CONFIGURATION_CALLS = frozenset(
    {
        "warnings.filterwarnings",
        "warnings.simplefilter",
        "pandas.set_option",
        "numpy.set_printoptions",
        "numpy.seterr",
        "matplotlib.pyplot.style.use",
        "matplotlib.style.use",
        "matplotlib.pyplot.rc",
        "matplotlib.rc",
        "matplotlib.pyplot.rcdefaults",
        "matplotlib.rcdefaults",
        "seaborn.set",
        "seaborn.set_theme",
        "seaborn.set_style",
        "seaborn.set_context",
        "seaborn.set_palette",
        "seaborn.set_color_codes",
        "sklearn.set_config",
    }
)
#: Settings objects: assigning into one, or updating it, configures
#: (``plt.rcParams["figure.figsize"] = (8, 5)``, ``pd.options.display.max_rows = 50``).
CONFIGURATION_TARGETS = (
    "pandas.options",
    "matplotlib.rcParams",
    "matplotlib.pyplot.rcParams",
    "pylab.rcParams",
)


def configures(qualified: str | None) -> bool:
    """Whether a call or an assignment target (qualified name) only configures the session."""
    if not qualified:
        return False
    if qualified in CONFIGURATION_CALLS:
        return True
    return any(qualified == t or qualified.startswith(f"{t}.") for t in CONFIGURATION_TARGETS)


# -- plotting --------------------------------------------------------------------------------
PLOT_METHODS = frozenset(
    {
        "plot",
        "hist",
        "boxplot",
        "scatter",
        "imshow",
        "pie",
        "heatmap",
        "barh",
        "bar",
        "kde",
        "savefig",
        "subplots",
        "figure",
    }
)

#: What draws (qualified-name prefixes): modules whose calls draw, and drawing functions
#: of modules that also do other things (mglearn loads data too).  A value whose type
#: comes from one of these modules is a figure, an axes or a chart.
PLOT_MODULES = (
    "matplotlib.",
    "mpl_toolkits.",
    "pylab.",
    "seaborn.",
    "plotly.",
    "bokeh.",
    "altair.",
    "pandas.plotting.",
    "mglearn.plots.",
    "mglearn.discrete_scatter",
    "mglearn.tools.visualize",
    "mglearn.tools.heatmap",
)
#: Methods that draw on a figure or axes and return a handle (an artist, an axes, a
#: figure, tick labels) that notebooks assign only to keep its repr out of the output
#: (``fig = plt.figure()``, ``ticks = ax.set_xticks(...)``): H204 leaves those alone.
DRAWING_METHODS = PLOT_METHODS | frozenset(
    {
        "add_subplot",
        "add_axes",
        "gca",
        "gcf",
        "twinx",
        "twiny",
        "legend",
        "colorbar",
        "text",
        "annotate",
        "title",
        "suptitle",
        "xlabel",
        "ylabel",
        "xticks",
        "yticks",
        "xlim",
        "ylim",
        "axis",
        "grid",
        "axhline",
        "axvline",
        "axhspan",
        "axvspan",
        "fill_between",
        "errorbar",
        "contour",
        "contourf",
        "pcolormesh",
        "step",
        "stem",
        "violinplot",
        "quiver",
        "hexbin",
        "matshow",
        "loglog",
        "semilogx",
        "semilogy",
        "barplot",
        "countplot",
        "lineplot",
        "scatterplot",
        "histplot",
        "pairplot",
        "jointplot",
        "displot",
        "regplot",
        "lmplot",
        "catplot",
        "clustermap",
    }
)

# -- machine learning: fitting, splitting, cross-validating (H401, H402) -----------------------
#: Modules whose classes are all data-dependent transformers (bar STATELESS).
TRANSFORMER_MODULES = (
    "sklearn.preprocessing.",
    "sklearn.feature_extraction.",
    "sklearn.feature_selection.",
    "sklearn.decomposition.",
    "sklearn.impute.",
    "category_encoders.",
)
#: Transformers outside those modules.
TRANSFORMERS = frozenset(
    {
        "sklearn.compose.ColumnTransformer",
        "sklearn.compose.make_column_transformer",
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.make_pipeline",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.make_union",
        "sklearn.kernel_approximation.Nystroem",
        "sklearn.cluster.FeatureAgglomeration",
    }
)
#: Classes that learn nothing from the rows they are fit on (or only encode the target).
STATELESS = frozenset(
    f"sklearn.{name}"
    for name in (
        "preprocessing.FunctionTransformer",
        "preprocessing.Normalizer",
        "preprocessing.Binarizer",
        "preprocessing.PolynomialFeatures",
        "preprocessing.LabelEncoder",
        "preprocessing.LabelBinarizer",
        "preprocessing.MultiLabelBinarizer",
        "feature_extraction.FeatureHasher",
        "feature_extraction.text.HashingVectorizer",
    )
)
#: Functions that fit and transform in one call (``preprocessing.scale(X)``).
FIT_TRANSFORM_FUNCTIONS = frozenset(
    f"sklearn.preprocessing.{name}"
    for name in (
        "scale",
        "minmax_scale",
        "maxabs_scale",
        "robust_scale",
        "quantile_transform",
        "power_transform",
    )
)
FIT_METHODS = frozenset({"fit", "fit_transform", "partial_fit", "fit_predict", "fit_resample"})
#: Estimators whose ``fit`` measures an already fitted model on the rows it is given:
#: fit on held-out data by design (eli5's permutation importance, ``cv="prefit"``).
HELD_OUT_FITS = frozenset(
    {
        "eli5.PermutationImportance",
        "eli5.sklearn.PermutationImportance",
        "eli5.sklearn.permutation_importance.PermutationImportance",
    }
)
#: Functions that split rows into a training and a test part.
SPLIT_FUNCTIONS = frozenset(
    {"sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split"}
)
#: Functions that cross-validate whatever they receive.
CV_FUNCTIONS = frozenset(
    f"sklearn.model_selection.{name}"
    for name in (
        "cross_val_score",
        "cross_validate",
        "cross_val_predict",
        "learning_curve",
        "validation_curve",
        "permutation_test_score",
    )
)
#: Name suffix of the hyper-parameter searches that cross-validate (``GridSearchCV``).
SEARCH_CV = ("SearchCV",)
#: Methods that take the first or last rows (``X.head(n)`` / ``X.tail(m)``): a pair of them
#: splits by position, as ``X[:n]`` / ``X[n:]`` and ``X.iloc[:n]`` / ``X.iloc[n:]`` do.
POSITION_METHODS = {"head": "head", "tail": "tail"}
#: Indexers whose slice takes rows by position (``X.iloc[:n]``).
POSITION_INDEXERS = frozenset({"iloc"})
#: Functions that stack their arguments' rows into one (``np.vstack([X_train, X_test])``).
ROW_STACKING_FUNCTIONS = frozenset(
    {
        "numpy.vstack",
        "numpy.row_stack",
        "numpy.concatenate",
        "numpy.append",
        "pandas.concat",
        "scipy.sparse.vstack",
    }
)
#: Methods that use a fitted estimator on data without changing it: fitting on one part
#: and calling these on the other is how a split is used as held-out data.
EVALUATION_METHODS = frozenset(
    {
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
        "score",
        "score_samples",
        "transform",
    }
)


# -- processes: calls that run a command line ------------------------------------------------
#: Functions that run a command, given as a string or a list of words (first argument or
#: ``args=`` / ``command=``): H104 reads installs in them, as in ``!pip install``.
COMMAND_FUNCTIONS = frozenset(
    {
        "os.system",
        "os.popen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
    }
)
#: Keywords that name the command of a :data:`COMMAND_FUNCTIONS` call.
COMMAND_KEYWORDS = frozenset({"args", "command", "cmd"})

# -- data contracts: the frames harden expect captures -----------------------------------------
#: Calls that read a data file into a DataFrame (qualified-name prefixes): the notebook's inputs.
FRAME_READERS = ("pandas.read_",)
#: :data:`FRAME_READERS` calls whose first argument is a query, a table or nothing, not a file.
NON_FILE_READERS = frozenset(
    {
        "pandas.read_sql",
        "pandas.read_sql_query",
        "pandas.read_sql_table",
        "pandas.read_gbq",
        "pandas.read_clipboard",
    }
)
#: Calls that list files by a pattern (``glob.glob("data/*.csv")``): the files a notebook reads.
GLOB_FUNCTIONS = frozenset({"glob.glob", "glob.iglob"})
#: Options of ``pandas.read_csv`` / ``read_table`` / ``read_json`` / ``read_parquet`` that
#: ``harden validate`` passes on as the notebook wrote them (literals only): how the
#: file is parsed into the one table the suite describes.
READ_OPTIONS = frozenset(
    {
        "sep",
        "delimiter",
        "delim_whitespace",
        "header",
        "names",
        "index_col",
        "usecols",
        "dtype",
        "skiprows",
        "skipfooter",
        "nrows",
        "na_values",
        "keep_default_na",
        "na_filter",
        "true_values",
        "false_values",
        "skipinitialspace",
        "skip_blank_lines",
        "parse_dates",
        "date_format",
        "dayfirst",
        "thousands",
        "decimal",
        "lineterminator",
        "quotechar",
        "quoting",
        "doublequote",
        "escapechar",
        "comment",
        "encoding",
        "encoding_errors",
        "engine",
        "low_memory",
        "dtype_backend",
        "on_bad_lines",
        "lines",
        "orient",
        "typ",
        "convert_dates",
        "columns",
    }
)
#: Keywords of ``pandas.read_csv``/``read_parquet``/``read_json`` that leave the rows and
#: columns as a plain read has them (they change dtypes or speed at most); any other keyword
#: (``header``, ``names``, ``sep``, ``skiprows``, ``usecols``, ``index_col``, ``nrows``) or
#: a second positional argument reshapes the table.
READER_KEEPS_SHAPE = frozenset(
    {
        "parse_dates",
        "date_format",
        "dayfirst",
        "dtype",
        "dtype_backend",
        "converters",
        "encoding",
        "encoding_errors",
        "engine",
        "low_memory",
        "memory_map",
        "compression",
        "storage_options",
        "na_values",
        "keep_default_na",
        "na_filter",
        "true_values",
        "false_values",
        "thousands",
        "decimal",
        "float_precision",
        "chunksize",
        "iterator",
        "lines",
    }
)
#: The fit whose first argument is the feature matrix production inference must match.
MODEL_FIT_METHODS = frozenset({"fit"})

# -- results: what a notebook computes to conclude (extract names and returns them) ------------
#: scikit-learn calls that compute from a fitted estimator without changing it (pure: they
#: clone or only read the estimator), beside :data:`PURE_METHODS`.
PREDICT_METHODS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "decision_function", "score_samples"}
)
ESTIMATOR_READ_METHODS = frozenset(
    {*PREDICT_METHODS, "score", "transform", "inverse_transform", "get_feature_names_out"}
)
#: Qualified-name prefixes of pure calls outside pandas and numpy.
PURE_QUALIFIED = (
    "sklearn.metrics.",
    "sklearn.model_selection.cross_val_score",
    "sklearn.model_selection.cross_validate",
    "sklearn.model_selection.cross_val_predict",
    "sklearn.model_selection.learning_curve",
    "sklearn.model_selection.validation_curve",
)
#: Functions whose result is a score (a metric the notebook concludes with).
METRIC_PREFIXES = ("sklearn.metrics.",)
METRIC_CV = frozenset(
    {
        "sklearn.model_selection.cross_val_score",
        "sklearn.model_selection.cross_validate",
    }
)
#: Functions whose result is a prediction (``cross_val_predict``).
PREDICTION_FUNCTIONS = frozenset({"sklearn.model_selection.cross_val_predict"})
#: Reductions of a result that are still that result (``cross_val_score(...).mean()``).
RESULT_REDUCTIONS = frozenset({"mean", "std", "min", "max", "median", "sum"})
#: Fitted attributes, by meaning (any other ``name_`` attribute is a fitted value).
FITTED_METRICS = frozenset({"best_score_", "oob_score_"})
FITTED_PARAMS = frozenset({"best_params_", "best_index_"})
FITTED_MODELS = frozenset({"best_estimator_"})
#: Result names for metric functions whose own name would shadow the import.
METRIC_NAMES = {
    "mean_squared_error": "mse",
    "root_mean_squared_error": "rmse",
    "mean_absolute_error": "mae",
    "mean_absolute_percentage_error": "mape",
    "confusion_matrix": "confusion",
    "classification_report": "report",
    "r2_score": "r2",
}
#: Packages whose classes with ``fit`` are estimators (a fitted one is a result).
ESTIMATOR_PACKAGES = ("sklearn.", "xgboost.", "lightgbm.", "catboost.", "imblearn.")
#: Keywords of scikit-learn style calls whose literal value is a parameter of the run.
PARAMETER_KEYWORDS = frozenset(
    {
        "random_state",
        "test_size",
        "train_size",
        "cv",
        "n_splits",
        "n_estimators",
        "n_iter",
        "param_grid",
        "param_distributions",
        "n_neighbors",
        "max_depth",
    }
)
#: Call names (function or method, last dotted part) that act on the world beyond the
#: notebook's values: a step making one is never "contributing nothing".
EFFECT_PREFIXES = (
    "to_",
    "save",
    "dump",
    "write",
    "upload",
    "put",
    "post",
    "send",
    "mkdir",
    "makedirs",
    "remove",
    "unlink",
    "rename",
    "open",
    "commit",
    "execute",
    "log_",
)

# -- interactive widgets --------------------------------------------------------------------
#: Modules whose calls build interactive widgets (``interact(f, n=(1, 10))``, ``@interact``):
#: they only work in a live notebook, so extraction drops them (and their import).
WIDGET_MODULES = ("ipywidgets", "IPython.html.widgets")


def is_widget(qualified: str) -> bool:
    """Whether a qualified name (``ipywidgets.interact``) belongs to a widget module."""
    return any(qualified == m or qualified.startswith(m + ".") for m in WIDGET_MODULES)


# -- symmetry: calls whose first two arguments can trade places (scaffold's mutants) --------
#: Functions whose result does not change when their first two positional arguments
#: swap (``accuracy_score(y_test, y_pred) == accuracy_score(y_pred, y_test)``): swapping
#: them makes an equivalent mutant, which no test can kill.  Matched on the last dotted
#: part.  Only metrics symmetric for every option (not ``f1_score``: its ``weighted``
#: average weighs by the first argument's support).
SYMMETRIC_FUNCTIONS = frozenset(
    {
        "accuracy_score",
        "zero_one_loss",
        "hamming_loss",
        "mean_squared_error",
        "root_mean_squared_error",
        "mean_absolute_error",
        "median_absolute_error",
        "max_error",
        "cohen_kappa_score",
        "matthews_corrcoef",
        "adjusted_rand_score",
        "rand_score",
        "mutual_info_score",
        "normalized_mutual_info_score",
        "adjusted_mutual_info_score",
        "maximum",
        "minimum",
        "hypot",
    }
)

# -- randomness: calls that draw, generators, seeding calls (H101) ---------------------------
#: Functions of the ``random`` module that draw.
RANDOM_FUNCS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "shuffle",
        "sample",
        "uniform",
        "triangular",
        "gauss",
        "normalvariate",
        "lognormvariate",
        "expovariate",
        "vonmisesvariate",
        "gammavariate",
        "betavariate",
        "paretovariate",
        "weibullvariate",
        "getrandbits",
        "randbytes",
        "binomialvariate",
    }
)
#: ``numpy.random``'s legacy functions that draw from its global state.
NUMPY_LEGACY = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "random_integers",
        "random_sample",
        "random",
        "ranf",
        "sample",
        "choice",
        "bytes",
        "shuffle",
        "permutation",
        "beta",
        "binomial",
        "chisquare",
        "dirichlet",
        "exponential",
        "f",
        "gamma",
        "geometric",
        "gumbel",
        "hypergeometric",
        "laplace",
        "logistic",
        "lognormal",
        "logseries",
        "multinomial",
        "multivariate_normal",
        "negative_binomial",
        "noncentral_chisquare",
        "noncentral_f",
        "normal",
        "pareto",
        "poisson",
        "power",
        "rayleigh",
        "standard_cauchy",
        "standard_exponential",
        "standard_gamma",
        "standard_normal",
        "standard_t",
        "triangular",
        "uniform",
        "vonmises",
        "wald",
        "weibull",
        "zipf",
    }
)
#: Constructors of independent generators: unseeded when given no seed.
GENERATORS = frozenset(
    {
        "numpy.random.default_rng",
        "numpy.random.RandomState",
        "numpy.random.Generator",
        "numpy.random.PCG64",
        "numpy.random.PCG64DXSM",
        "numpy.random.MT19937",
        "numpy.random.Philox",
        "numpy.random.SFC64",
        "numpy.random.SeedSequence",
        "random.Random",
    }
)
#: ``torch`` functions that draw from its global generator.
TORCH_FUNCS = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "randperm",
        "rand_like",
        "randn_like",
        "randint_like",
        "bernoulli",
        "multinomial",
        "normal",
        "poisson",
    }
)
#: ``tf.random`` members that draw nothing.
TF_NOT_DRAWS = frozenset(
    {"set_seed", "Generator", "get_global_generator", "set_global_generator", "create_rng_state"}
)
#: scikit-learn callables that take ``random_state``, and when they actually use it.
SKLEARN_ALWAYS = frozenset(
    {
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        "IsolationForest",
        "RandomizedSearchCV",
        "HalvingRandomSearchCV",
        "KMeans",
        "MiniBatchKMeans",
        "BisectingKMeans",
        "TSNE",
        "TruncatedSVD",
        "GaussianMixture",
        "BayesianGaussianMixture",
        "resample",
        "shuffle",
        "permutation_importance",
        "MLPClassifier",
        "MLPRegressor",
        "LatentDirichletAllocation",
        "FastICA",
        "SpectralClustering",
        "SpectralEmbedding",
        "MDS",
        "GaussianRandomProjection",
        "SparseRandomProjection",
        "BaggingClassifier",
        "BaggingRegressor",
        "RandomTreesEmbedding",
        "Perceptron",
        "SGDClassifier",
        "SGDRegressor",
        "SGDOneClassSVM",
        "PassiveAggressiveClassifier",
        "PassiveAggressiveRegressor",
    }
)
SKLEARN_PREFIXES = (
    "RandomForest",
    "ExtraTree",
    "GradientBoosting",
    "HistGradientBoosting",
    "DecisionTree",
    "AdaBoost",
)
#: Used only when a keyword has one of these literal values (LogisticRegression's
#: default lbfgs solver, PCA's full solver and SVC without probabilities are deterministic).
SKLEARN_WHEN: dict[str, tuple[str, set[object]]] = {
    "KFold": ("shuffle", {True}),
    "StratifiedKFold": ("shuffle", {True}),
    "GroupKFold": ("shuffle", {True}),
    "StratifiedGroupKFold": ("shuffle", {True}),
    "LogisticRegression": ("solver", {"sag", "saga", "liblinear"}),
    "LogisticRegressionCV": ("solver", {"sag", "saga", "liblinear"}),
    "PCA": ("svd_solver", {"randomized", "arpack"}),
    "SVC": ("probability", {True}),
    "NuSVC": ("probability", {True}),
}
#: Ensembles that seed the base estimator they are given from their own ``random_state``.
SEEDING_ENSEMBLES = frozenset(
    {"BaggingClassifier", "BaggingRegressor", "AdaBoostClassifier", "AdaBoostRegressor"}
)
#: Seeding calls per domain; the "seed everything" helpers seed every domain.
SEEDS = {
    "random": {"random.seed"},
    "numpy": {"numpy.random.seed"},
    "torch": {"torch.manual_seed", "torch.random.manual_seed"},
    "tensorflow": {
        "tensorflow.random.set_seed",
        "tensorflow.set_random_seed",
        "tensorflow.compat.v1.set_random_seed",
    },
}
SEED_EVERYTHING = frozenset(
    {
        "pytorch_lightning.seed_everything",
        "lightning.seed_everything",
        "lightning.pytorch.seed_everything",
        "transformers.set_seed",
        "accelerate.utils.set_seed",
        "tensorflow.keras.utils.set_random_seed",
        "keras.utils.set_random_seed",
    }
)


# -- libraries and their packages (repro's causes, the handoff's environment) ---------------
#: Calls that read the clock: a notebook whose output shows their result differs on every
#: run (repro names them as the cause).
CLOCK_CALLS = {
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
    "time.localtime",
    "time.ctime",
    "pandas.Timestamp.now",
    "pandas.Timestamp.today",
    "numpy.datetime64",
}


#: Import name → distribution to install, where they differ.
DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "cv2": "opencv-python",
    "PIL": "Pillow",
    "yaml": "PyYAML",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "Crypto": "pycryptodome",
    "dotenv": "python-dotenv",
    "jwt": "PyJWT",
    "git": "GitPython",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "magic": "python-magic",
    "serial": "pyserial",
    "usb": "pyusb",
    "OpenSSL": "pyOpenSSL",
    "google.cloud": "google-cloud",
    "attr": "attrs",
    "tensorflow_hub": "tensorflow-hub",
    "Levenshtein": "python-Levenshtein",
    "umap": "umap-learn",
    "lightgbm": "lightgbm",
    "xgboost": "xgboost",
    "torch": "torch",
    "mpl_toolkits": "matplotlib",
}


#: Classes that name their library in an error message (``DataFrame.drop() got an
#: unexpected keyword``) when the call fails before any frame of the library runs.
LIBRARY_CLASSES = {
    **dict.fromkeys(
        (
            "NDFrame",
            "DataFrame",
            "Series",
            "Index",
            "MultiIndex",
            "DatetimeIndex",
            "GroupBy",
            "DataFrameGroupBy",
            "SeriesGroupBy",
            "Resampler",
            "Rolling",
            "Expanding",
            "Timestamp",
            "Styler",
        ),
        "pandas",
    ),
    "ndarray": "numpy",
    **dict.fromkeys(("Axes", "Figure", "Line2D", "Artist"), "matplotlib"),
}
