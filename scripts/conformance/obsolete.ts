/**
 * Cases of the Elasticsearch spec files written for the EQL grammar of 2020 (the files' commits
 * predate Elasticsearch 7.10) that current Elasticsearch rejects. Following the current grammar and
 * documentation, each of these passes only when our checker rejects the query.
 */

const COLON_NON_CONSTANT =
  '`:` takes constants only since 7.10 (EqlBase.g4 `predicate`: `SEQ constant`); it used to be an equality between any two expressions';
const NOT_COLON = '`!:` is no longer in the grammar (docs "EQL syntax reference": write `not field : value`)';
const MATCH_FUNCTION =
  '`match`/`matchLite` were removed in 7.10 (elastic/elasticsearch#63275) and `?"..."` strings replaced by triple-quoted strings (#62539)';
const ARITHMETIC_COLON =
  '`a - 1 : 81` now parses as `a - (1 : 81)` because `:` binds to the primary expression; arithmetic on a boolean is a verification error';

/** Case name → why current Elasticsearch rejects its query. */
export const OBSOLETE_CASES: Readonly<Record<string, string>> = {
  nullEqualityAndInWithHead: COLON_NON_CONSTANT,
  nullEqualityWithGtAndHead: COLON_NON_CONSTANT,
  nullEqualityWithLtAndHead: COLON_NON_CONSTANT,
  twoAdds: COLON_NON_CONSTANT,
  stringNumberConversion1: COLON_NON_CONSTANT,
  stringNumberConversion2: COLON_NON_CONSTANT,
  stringNumberConversion3: COLON_NON_CONSTANT,
  cidrMatchAdditional2: COLON_NON_CONSTANT,
  numberStringEquality: COLON_NON_CONSTANT,
  moduloEqualsField: COLON_NON_CONSTANT,
  multipleConditions2: NOT_COLON,
  indexOf4: NOT_COLON,
  indexOf5: NOT_COLON,
  indexOf6: NOT_COLON,
  indexOf7: NOT_COLON,
  concatWithCondition1: NOT_COLON,
  matchWithCharacterClasses1: MATCH_FUNCTION,
  matchWithCharacterClasses2: MATCH_FUNCTION,
  matchLiteAdditional: MATCH_FUNCTION,
  multiPatternMatch: MATCH_FUNCTION,
  matchWithSubstring: MATCH_FUNCTION,
  fieldMath1: ARITHMETIC_COLON,
  fieldMath2: ARITHMETIC_COLON,
  fieldMath3: ARITHMETIC_COLON,
  fieldMath4: ARITHMETIC_COLON,
  fieldMath5: ARITHMETIC_COLON,
  fieldMath6: ARITHMETIC_COLON,
  additionalMathWithFields1: ARITHMETIC_COLON,
  additionalMathWithFields2: ARITHMETIC_COLON,
  additionalMathWithFields3: ARITHMETIC_COLON,
  additionalMathWithFields4: ARITHMETIC_COLON,
  additionalMathWithFields5: ARITHMETIC_COLON,
  additionalMathWithFields6: ARITHMETIC_COLON,
  additionalMathWithFields7: ARITHMETIC_COLON,
};
