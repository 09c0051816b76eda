export function dpiaLabel(screening: string): string {
  switch (screening) {
    case "REQUIRED":
      return "obligatoire";
    case "REVIEW":
      return "à examiner";
    case "NOT_REQUIRED":
      return "non requise";
    default:
      return screening;
  }
}
