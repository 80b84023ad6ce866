DROP INDEX round_results_position;
