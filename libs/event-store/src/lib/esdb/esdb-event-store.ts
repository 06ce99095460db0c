export class EsdbEventStore { static fromConnectionString(url: string): never { throw new Error(url); } }
