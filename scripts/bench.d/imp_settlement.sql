.import --csv settlement.csv settlement
