.import --csv skus.csv skus
