"""Training wing: data sets, augmentation, networks, fitting, evaluation, plots."""
