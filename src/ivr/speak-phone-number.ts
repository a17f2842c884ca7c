import type { PromptCatalogue } from './prompt-catalogue.js';

/**
 * A phone number read digit by digit in its plan's groups ("plus 4 4, 2 0, 7 1 2 3"): a voice reads
 * "4567" as a number. A long group (a number no plan range knows) is cut into threes, the last up to four.
 */
export function speakPhoneNumber(groups: readonly string[], catalogue: PromptCatalogue): string {
  const spoken = groups.flatMap((group) => {
    const plus = group.startsWith('+');
    const digits = group.replace(/\D/g, '');
    // Threes from the left while more than four digits are left.
    const pieces = digits.replace(/\d{3}(?=\d{2})/g, '$& ').split(' ').map((piece) => piece.split('').join(' '));
    const [first = '', ...rest] = pieces;
    return [plus ? `${catalogue.phrase('numberPlus')} ${first}` : first, ...rest];
  });
  return spoken.filter((piece) => piece.trim() !== '').join(', ');
}
